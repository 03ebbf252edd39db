#!/bin/sh
# Downloaded Python is run by the interpreter.
curl -s https://raw.tool.invalid/boot.py | python3 -
curl -s https://raw.tool.invalid/boot.js | node
curl -s https://raw.tool.invalid/boot.zsh | zsh
