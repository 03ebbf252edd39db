# Starts processes.
system("rm", "-rf", ARGV[0])
exec "sh"
