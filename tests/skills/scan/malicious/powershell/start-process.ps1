# Starts a hidden process.
Start-Process -WindowStyle Hidden -FilePath "cmd.exe" -ArgumentList "/c whoami"
