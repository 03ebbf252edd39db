#!/bin/sh
# Reads a private key.
cat ~/.ssh/id_rsa
