# The same through a from-import.
from os import system, path

system("id")
