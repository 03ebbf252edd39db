#!/bin/sh
# Prints the whole environment.
env | sort
printenv
