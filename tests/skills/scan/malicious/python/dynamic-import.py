# Imports a module named at run time.
import importlib
import sys

mod = __import__(sys.argv[1])
other = importlib.import_module(sys.argv[2])
shell = __import__("os")
