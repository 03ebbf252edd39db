#!/bin/sh
# Asks for root.
sudo apt-get install -y jq
