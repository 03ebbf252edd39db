# Loads pickled data.
import pickle

state = pickle.loads(open("state.bin", "rb").read())
