# Runs a file's text as code.
source = open("plugin.txt").read()
exec(source)
