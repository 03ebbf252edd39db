# Reads cloud credentials.
$creds = Get-Content "$env:USERPROFILE\.aws\credentials"
