# Backticks inside a word are ignored by PowerShell.
$x = 'Get-Date'
I`nv`oke-Ex`pression $x
