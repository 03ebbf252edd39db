# A token written into the script.
import urllib.request

TOKEN = "ghp_FAKEk3Vt9QmZr2Lx8WcP5nYb7HdJ4sFa6GqE"
