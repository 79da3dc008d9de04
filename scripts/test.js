#!/usr/bin/env node
/**
 * The whole test suite, output streamed as it runs:
 *   1. type-check and compile lib/, test/, bench/ into build/ (tsconfig.test.json);
 *   2. unit tests: node --test over build/test/unit/**\/*.test.js, TAP;
 *   3. the fault suite, build/test/fault/*.test.js (kill -9 at many points of every method, damaged
 *      run directories, two writers, the genotype fuzz, the memory failure), which prints its counts;
 *   4. then build dist/ (notebooks import it as "nasbook") and run every notebook and the kernel
 *      protocol tests with Jupyter's Python (test/notebooks/run_notebooks.py), TAP; the executed
 *      notebooks and their HTML go to build/notebooks/;
 *   5. the browser tests, build/test/browser/*.test.js: headless Chromium opens those HTML pages and
 *      a CLI report, and drives Jupyter Notebook through Run All (screenshots: build/screenshots/).
 * --unit runs step 2 alone, --fault step 3 alone (each after the compile).
 * The last line is always "N passed, N failed" (tests of both kinds); the exit code is 1 when
 * anything failed. A failed compile or build counts as one failure but the tests still run
 * (tsc emits anyway), so one broken file does not hide every other result.
 *
 *   node scripts/test.js [--unit | --fault]
 * NASBOOK_PYTHON overrides the Python (default /usr/bin/python3, where Debian puts Jupyter).
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const { clean } = require("./clean");

const ROOT = path.resolve(__dirname, "..");
const TSC = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
const UNIT_DIR = path.join(ROOT, "build", "test", "unit");
const FAULT_DIR = path.join(ROOT, "build", "test", "fault");
const BROWSER_DIR = path.join(ROOT, "build", "test", "browser");

/** Pass/fail counts of one step. */
class Tally {
  constructor(passed = 0, failed = 0) {
    this.passed = passed;
    this.failed = failed;
  }
  add(other) {
    this.passed += other.passed;
    this.failed += other.failed;
  }
}

/** An argument as a person would type it from the project root. */
function shortPath(arg) {
  if (arg === process.execPath) return "node";
  return arg.startsWith(ROOT + path.sep) ? path.relative(ROOT, arg) : arg;
}

/** Runs a command with its output streamed through `onLine` (and echoed); resolves to the exit code. */
function run(command, args, onLine = () => {}) {
  return new Promise((resolve) => {
    console.log(`\n$ ${[command, ...args].map(shortPath).join(" ")}`);
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NODE: process.execPath } });
    for (const [source, sink] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let pending = "";
      source.on("data", (chunk) => {
        sink.write(chunk);
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop();
        lines.forEach(onLine);
      });
      source.on("end", () => pending !== "" && onLine(pending));
    }
    child.on("error", (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(127);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** A step that is no test itself (a compile, a build) but one failure when its command fails. */
async function step(command, args) {
  const code = await run(command, args);
  return new Tally(0, code === 0 ? 0 : 1);
}

/**
 * A TAP-producing command: counts come from its "# pass N" / "# fail N" summary; a non-zero exit
 * that the summary does not explain (a crash, a missing interpreter) counts as one more failure.
 */
async function tapStep(command, args) {
  const summary = {};
  const code = await run(command, args, (line) => {
    const match = /^# (pass|fail|cancelled) (\d+)\s*$/.exec(line);
    if (match) summary[match[1]] = Number(match[2]);
  });
  const tally = new Tally(summary.pass ?? 0, (summary.fail ?? 0) + (summary.cancelled ?? 0));
  if (code !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(file);
      return entry.name.endsWith(".test.js") ? [file] : [];
    })
    .sort();
}

/** Every compiled test under `dir`, through node's test runner; none at all is one failure. */
async function testDir(dir) {
  const files = testFiles(dir);
  if (files.length > 0) return tapStep(process.execPath, ["--test", "--test-reporter=tap", ...files]);
  console.error(`No compiled tests under ${shortPath(dir)}.`);
  return new Tally(0, 1);
}

function python() {
  if (process.env.NASBOOK_PYTHON) return process.env.NASBOOK_PYTHON;
  return fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length > 1 || args.some((arg) => arg !== "--unit" && arg !== "--fault")) {
    console.error("Usage: node scripts/test.js [--unit | --fault]");
    process.exit(2);
  }
  const only = args[0];
  const total = new Tally();
  // Stale output of moved sources would shadow the new modules (scripts/clean.js says why).
  clean("build/lib", "build/test", "build/bench");
  total.add(await step(process.execPath, [TSC, "-p", "tsconfig.test.json"]));
  for (const [dir, step] of [[UNIT_DIR, "--unit"], [FAULT_DIR, "--fault"]]) {
    if (only && only !== step) continue;
    total.add(await testDir(dir));
  }
  if (!only) {
    clean("dist");
    total.add(await step(process.execPath, [TSC, "-p", "tsconfig.json"]));
    // The suite runs the notebooks at smoke scale whatever the shell's NASBOOK_SCALE (the runner honours it).
    process.env.NASBOOK_SCALE = "smoke";
    clean("build/notebooks", "build/screenshots");
    total.add(await tapStep(python(), [path.join(ROOT, "test", "notebooks", "run_notebooks.py"), "--html", path.join(ROOT, "build", "notebooks")]));
    total.add(await testDir(BROWSER_DIR));
  }
  console.log(`${total.passed} passed, ${total.failed} failed`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}

main();
