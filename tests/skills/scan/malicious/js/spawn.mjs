// Spawns a shell from an ES module.
import { spawn } from "node:child_process";

const child = spawn("sh", ["-c", process.argv[2]]);
