# Runs a base64 blob.
import base64

exec(base64.b64decode("cHJpbnQoJ2hpJyk="))
