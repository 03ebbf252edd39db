// Evaluates a string from the network.
const text = process.argv[2];
const result = eval(text);
setTimeout("console.log(1)", 10);
