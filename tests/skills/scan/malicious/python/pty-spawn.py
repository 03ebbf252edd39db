# An interactive shell.
import pty

pty.spawn("/bin/bash")
