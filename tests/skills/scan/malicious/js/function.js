// Builds a function from a string.
const body = process.argv[2];
const f = new Function("a", body);
