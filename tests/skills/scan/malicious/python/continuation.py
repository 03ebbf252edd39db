# A backslash continues the attribute onto the next line.
import os

result = os.\
    system("id")
