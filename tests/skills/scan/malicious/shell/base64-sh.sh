#!/bin/sh
# Decoded text goes straight to a shell.
echo aWQ7IHVuYW1lIC1h | base64 -d | sh
echo aWQ7IHVuYW1lIC1h | base64 --decode | bash
