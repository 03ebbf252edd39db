# Runs commands through backticks and %x.
out = `uname -a`
more = %x{id}
