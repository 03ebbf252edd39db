# Unmarshals code and runs it.
import marshal

blob = open("payload.bin", "rb").read()
exec(marshal.loads(blob))
