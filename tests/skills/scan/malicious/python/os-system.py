# Runs a shell command.
import os

os.system("rm -rf build")
pipe = os.popen("uname -a")
os.execvp("sh", ["sh", "-c", "id"])
