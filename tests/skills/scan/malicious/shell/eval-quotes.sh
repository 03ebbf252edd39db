#!/bin/bash
# Quotes inside a word vanish when the shell reads it.
x="touch pwned"
e"va"l "$x"
ev\al "$x"
