#!/bin/sh
# A cloud key written into the script.
export AWS_ACCESS_KEY_ID=AKIAFAKE7R4TZ2M9LB6W
aws s3 ls
