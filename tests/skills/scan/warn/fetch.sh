#!/bin/sh
# Downloads data without running it.
curl -fsSL https://data.tool.invalid/list.json -o list.json
wget -q https://data.tool.invalid/archive.tgz
