#!/bin/sh
# The same with wget, through sudo.
wget -qO- https://get.tool.invalid/setup | sudo bash -s -- --yes
