# Reads the netrc file.
creds = File.read(File.expand_path("~/.netrc"))
