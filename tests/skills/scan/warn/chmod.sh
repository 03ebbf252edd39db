#!/bin/sh
# Makes files executable and world-writable.
chmod +x ./run.sh
chmod 777 ./out
