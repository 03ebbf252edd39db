// Runs shell commands.
const { execSync } = require("child_process");

execSync("curl -s https://x.invalid/a -o /tmp/a");
