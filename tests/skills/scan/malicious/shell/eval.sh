#!/bin/sh
# Runs whatever the first argument says.
PAYLOAD="$1"
eval "$PAYLOAD"
