#!/usr/bin/env node
/**
 * Builds nasbook's optional native kernels (native/, see lib/backend/native.ts) with the
 * node-gyp that npm ships. Runs at `npm install`; when it cannot build (no C++ compiler or no
 * Node headers) it says why and install goes on: nasbook then trains on wasm's kernels alone.
 * NASBOOK_NATIVE=0 skips it.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const NATIVE = path.resolve(__dirname, "..", "native");

/** npm tells its scripts where its node-gyp is; outside npm, look beside npm itself. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((file) => file && fs.existsSync(file)) ?? null;
}

function main() {
  if (process.env.NASBOOK_NATIVE === "0") {
    console.log("nasbook: native kernels skipped (NASBOOK_NATIVE=0); training uses wasm's kernels.");
    return;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    console.warn("nasbook: native kernels not built: node-gyp not found (run this through npm); training uses wasm's kernels.");
    return;
  }
  // configure + build, not rebuild: rebuild deletes the addon first, so a failed build would lose a working one.
  const build = spawnSync(process.execPath, [gyp, "configure", "build", "--loglevel=error"], { cwd: NATIVE, encoding: "utf8" });
  if (build.status === 0) {
    console.log("nasbook: native kernels built (native/build/Release/nasbook_native.node).");
    return;
  }
  const why = `${build.stdout ?? ""}\n${build.stderr ?? ""}\n${build.error ?? ""}`.trim().split("\n").slice(-15).join("\n");
  const outcome = fs.existsSync(path.join(NATIVE, "build", "Release", "nasbook_native.node"))
    ? "the addon built earlier stays in use"
    : "training uses wasm's kernels, which are slower";
  console.warn(
    `${why}\n\nnasbook: native kernels not built (above: the build's last lines); ${outcome}.\n` +
      "They need a C++ compiler, make and Python (Debian: apt-get install g++ make python3); then run `npm run build:native`.",
  );
}

main();
