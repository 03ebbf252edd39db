# Loads a .env file through a library.
from dotenv import load_dotenv

load_dotenv()
