#!/bin/bash
# A backslash-newline splits the word eval over two lines.
step="rm -f marker"
ev\
al "$step"
