// Imports a module whose name comes from outside.
const target = process.env.PLUGIN;
const mod = await import(target);
const other = require(process.argv[2]);
