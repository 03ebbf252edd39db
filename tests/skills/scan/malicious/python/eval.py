# Evaluates text from the command line.
import sys

value = eval(sys.argv[1])
print(value)
