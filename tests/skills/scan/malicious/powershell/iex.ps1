# Runs a string as code.
$code = Get-Content .\next.txt -Raw
Invoke-Expression $code
iex $code
