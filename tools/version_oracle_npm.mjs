// Dev-only oracle helper for tools/version_oracle.py: reads JSON lines [a, b]
// from stdin and prints, per line, node-semver's verdict: "<", "=", ">", "!A" or
// "!B" (the version that `semver.valid` rejects). Needs the `semver` package:
// `npm install --prefix /tmp/lifeline-oracle semver@7` and NODE_PATH set to
// /tmp/lifeline-oracle/node_modules.
import { createRequire } from "node:module";
import readline from "node:readline";

const require = createRequire(import.meta.url);
const semver = require("semver");

const lines = readline.createInterface({ input: process.stdin });
const out = [];
for await (const line of lines) {
  const [a, b] = JSON.parse(line);
  if (semver.valid(a) === null) {
    out.push("!A");
  } else if (semver.valid(b) === null) {
    out.push("!B");
  } else {
    out.push(["<", "=", ">"][semver.compare(a, b) + 1]);
  }
}
process.stdout.write(out.join("\n") + "\n");
