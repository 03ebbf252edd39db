#!/bin/bash
# Two adjacent quoted strings make one word.
x="id"
"ev""al" "$x"
