// Imports exec from child_process and uses it.
import { exec } from "child_process";

exec(`git clone ${process.argv[2]}`);
