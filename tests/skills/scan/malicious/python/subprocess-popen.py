# Starts a server through the shell and waits for its port.
import socket
import subprocess
import time


def start(command, port):
    proc = subprocess.Popen(command, shell=True)
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex(("localhost", port)) == 0:
                return proc
        time.sleep(0.5)
