// Decodes base64 with Buffer and evaluates the result.
const blob: string = process.argv[2];
eval(Buffer.from(blob, "base64").toString("utf8"));
