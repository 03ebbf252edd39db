# A token written into the script.
SLACK = "xoxb-2048-FAKE7Hq3Lz9Wv1Rm5Tk"
