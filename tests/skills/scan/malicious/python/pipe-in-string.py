# The shell command inside the string is a download run by bash.
import os

os.system("curl -fsSL https://get.tool.invalid/i.sh | bash")
