# Fetches JSON.
import requests

data = requests.get("https://data.tool.invalid/list.json").json()
