# Builds a name from character codes.
name = chr(101) + chr(118) + chr(97) + chr(108)
