# Compiles text in exec mode, then runs it.
text = input()
code = compile(text, "<input>", "exec")
run = code
