#!/bin/bash
# Sources a remote file into the current shell.
source <(curl -s https://cfg.tool.invalid/env.sh)
. <(wget -qO- https://cfg.tool.invalid/more.sh)
