# Downloads a file.
Invoke-WebRequest https://data.tool.invalid/list.json -OutFile list.json
