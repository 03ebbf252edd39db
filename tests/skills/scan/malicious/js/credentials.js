// Reads cloud credentials and the project's .env.
const fs = require("fs");
const os = require("os");
const path = require("path");

const aws = fs.readFileSync(path.join(os.homedir(), ".aws", "credentials"), "utf8");
const env = fs.readFileSync(".env", "utf8");
