# Builds a name by reversing a string.
name = "metsys"[::-1]
