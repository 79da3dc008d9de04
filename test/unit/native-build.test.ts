/** The install step that builds the native addon never fails the install: it says why and goes on. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** A copy of scripts/build-native.js and native/ sources, so that nothing touches the real build. */
function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-native-"));
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.copyFileSync(path.join(ROOT, "scripts", "build-native.js"), path.join(dir, "scripts", "build-native.js"));
  fs.mkdirSync(path.join(dir, "native"));
  fs.copyFileSync(path.join(ROOT, "native", "binding.gyp"), path.join(dir, "native", "binding.gyp"));
  fs.cpSync(path.join(ROOT, "native", "src"), path.join(dir, "native", "src"), { recursive: true });
  return dir;
}

function build(dir: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [path.join(dir, "scripts", "build-native.js")], {
    encoding: "utf8",
    env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? "/usr", ...env },
  });
}

test("without a working C++ compiler the install step exits 0 and says what to install", () => {
  const dir = scratchCopy();
  try {
    const run = build(dir, { CXX: path.join(dir, "no-such-compiler"), CC: path.join(dir, "no-such-compiler") });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /native kernels not built .*training uses wasm's kernels/);
    assert.match(run.stderr, /apt-get install g\+\+ make python3\); then run `npm run build:native`/);
    assert.equal(fs.existsSync(path.join(dir, "native", "build", "Release", "nasbook_native.node")), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("NASBOOK_NATIVE=0 skips the build", () => {
  const dir = scratchCopy();
  try {
    const run = build(dir, { NASBOOK_NATIVE: "0" });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /native kernels skipped \(NASBOOK_NATIVE=0\)/);
    assert.equal(fs.existsSync(path.join(dir, "native", "build")), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
