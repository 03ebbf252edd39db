#!/bin/sh
# Reads the project's .env file.
set -a
. ./.env
cat .env.local
