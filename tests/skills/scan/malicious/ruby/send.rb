# Calls system through send.
Kernel.send(:system, ARGV[0])
