#!/bin/sh
# Deletes recursively.
rm -rf "$BUILD_DIR"
rm -rf /
