# Calls iex by a joined name.
$c = 'Get-Date'
& ('ie' + 'x') $c
