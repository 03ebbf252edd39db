// Runs a script in a vm context.
import vm from "node:vm";

new vm.Script(process.argv[2]).runInThisContext();
