// Evaluates a string typed as any.
const input: string = process.argv[2];
const out: unknown = eval(input);
