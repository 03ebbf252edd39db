# Looks eval up by a joined name.
fn = getattr(__builtins__, 'ev' + 'al')
print(fn("1 + 1"))
