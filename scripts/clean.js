#!/usr/bin/env node
/**
 * Removes compiled output folders before tsc writes them again: tsc never deletes the output
 * of a source that was moved or removed, and a stale `experiment/methods.js` would shadow the
 * `experiment/methods/index.js` that replaced it.
 *   node scripts/clean.js dist build/lib ...
 */
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** Removes each folder (relative to the repository root) if it exists. */
function clean(...dirs) {
  for (const dir of dirs) fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
}

if (require.main === module) clean(...process.argv.slice(2));
module.exports = { clean };
