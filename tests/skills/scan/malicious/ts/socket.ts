// A raw socket in TypeScript.
import { Socket } from "net";

const s = new Socket();
