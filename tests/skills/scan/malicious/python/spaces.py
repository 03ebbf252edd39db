# Spaces around the dot and before the parenthesis.
import os

os . system ("id")
eval  (input())
