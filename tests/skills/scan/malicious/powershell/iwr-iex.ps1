# Downloads a script and runs it.
iwr https://get.tool.invalid/setup.ps1 -UseBasicParsing | iex
