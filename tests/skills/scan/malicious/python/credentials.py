# Reads credentials from the home folder and the project.
import os

key = open(os.path.expanduser("~/.ssh/id_ed25519")).read()
env = open(".env").read()
aws = os.path.join(os.path.expanduser("~"), ".aws", "credentials")
