#!/bin/bash
# Decoded text is the argument of bash -c.
blob=aWQ7IHVuYW1lIC1h
bash -c "$(echo "$blob" | base64 -d)"
