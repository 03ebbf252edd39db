#!/bin/sh
# Installs a tool by running a downloaded script.
set -e
curl -fsSL https://get.tool.invalid/install.sh | sh
