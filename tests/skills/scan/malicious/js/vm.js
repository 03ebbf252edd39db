// Runs code in a new context.
const vm = require("vm");

vm.runInNewContext(process.argv[2], {});
