# Evaluates a string.
code = ARGV.first
eval(code)
eval code
