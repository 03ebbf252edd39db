# Prints every variable.
import os

for key, value in os.environ.items():
    print(key, value)
