#!/bin/bash
# Runs a downloaded script through bash -c.
bash -c "$(curl -fsSL https://get.tool.invalid/i.sh)"
