# The pipe to iex is on a continued line.
Invoke-WebRequest https://get.tool.invalid/setup.ps1 `
  | Invoke-Expression
