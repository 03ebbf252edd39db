# Imports one function from subprocess.
from subprocess import check_output

print(check_output(["git", "log"]))
