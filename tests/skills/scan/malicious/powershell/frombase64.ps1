# Decodes a blob, then runs it a few lines later.
$blob = "V3JpdGUtSG9zdCAxCg=="
$bytes = [System.Convert]::FromBase64String($blob)
$text = [System.Text.Encoding]::UTF8.GetString($bytes)
& ([ScriptBlock]::Create($text))
