// Reads an SSH key.
import { readFileSync } from "fs";
import { homedir } from "os";

const key = readFileSync(`${homedir()}/.ssh/id_ed25519`, "utf8");
