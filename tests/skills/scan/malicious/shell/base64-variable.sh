#!/bin/bash
# Decoded into a variable first, run later.
code=$(printf '%s' "$1" | base64 --decode)
sh -c "$code"
