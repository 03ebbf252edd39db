# Pipes to and from a process.
require "open3"

io = IO.popen(ARGV[0])
out, status = Open3.capture2("git", "status")
