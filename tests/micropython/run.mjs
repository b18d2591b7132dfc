// Run a Python script in real MicroPython (WebAssembly port) under Node.js.
// Usage: node run.mjs SCRIPT.py [FILE ...]; each FILE is copied to /fw/<basename> first.
// Exit code 0 on success; a Python exception prints "PythonError <type>: <message>" and exits 1.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "fs";
import path from "path";

const [script, ...files] = process.argv.slice(2);
const mp = await loadMicroPython({ stdout: (line) => process.stdout.write(line + "\n") });
mp.FS.mkdir("/fw");
for (const file of files) {
  mp.FS.writeFile("/fw/" + path.basename(file), fs.readFileSync(file));
}
try {
  mp.runPython(fs.readFileSync(script, "utf8"));
} catch (error) {
  console.log("PythonError " + error.type + ": " + error.message);
  process.exit(1);
}
