#!/usr/bin/env node
/**
 * Registers the Jupyter kernel "TypeScript (nasbook)": this project's tslab started by the node
 * running this script, so notebooks get the pinned tslab whatever (if anything) is on PATH.
 * Also links node_modules/nasbook to the project, so notebooks can `import ... from "nasbook"`:
 * both Node and tslab's TypeScript (Node10 resolution) find packages only under node_modules.
 *
 *   node scripts/install-kernel.js              per-user kernel (what `npm run kernel` does)
 *   node scripts/install-kernel.js --prefix P   into P/share/jupyter/kernels; use with JUPYTER_PATH=P/share/jupyter
 */
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

const KERNEL_NAME = "nasbook";
const ROOT = path.resolve(__dirname, "..");

function usage(message) {
  console.error(`${message}\nUsage: node scripts/install-kernel.js [--prefix DIR]`);
  process.exit(2);
}

/** `{ prefix }` from the command line; no prefix means the user's kernel directory. */
function parseArgs(argv) {
  if (argv.length === 0) return { prefix: undefined };
  if (argv[0] === "--prefix" && argv.length === 2) return { prefix: path.resolve(argv[1]) };
  return usage(`Unexpected arguments: ${argv.join(" ")}`);
}

/** node_modules/nasbook → the project root, created once; anything else already there is an error. */
function linkPackage() {
  const link = path.join(ROOT, "node_modules", KERNEL_NAME);
  if (fs.existsSync(link)) {
    if (fs.realpathSync(link) === fs.realpathSync(ROOT)) return;
    throw new Error(`${link} exists and is not a link to ${ROOT}; remove it and run again.`);
  }
  fs.rmSync(link, { force: true }); // a dangling link from a moved checkout
  // Windows links directories without admin rights only as junctions, which need absolute targets.
  if (process.platform === "win32") fs.symlinkSync(ROOT, link, "junction");
  else fs.symlinkSync("..", link, "dir");
  console.log(`Linked ${path.relative(ROOT, link)} -> ${ROOT}`);
}

function kernelSpec() {
  const tslab = path.join(ROOT, "node_modules", "tslab", "bin", "tslab");
  if (!fs.existsSync(tslab)) throw new Error(`${tslab} is missing: run npm install first.`);
  return {
    argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (nasbook)",
    language: "typescript",
  };
}

/** The per-user Jupyter data directory, as jupyter_core computes it. */
function userDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "win32") return path.join(process.env.APPDATA || os.homedir(), "jupyter");
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  return path.join(process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter");
}

function jupyterUsable() {
  const probe = spawnSync("jupyter", ["kernelspec", "--version"], { stdio: "ignore" });
  return probe.status === 0;
}

/** Lets `jupyter kernelspec install` place the spec (it knows this Jupyter's paths best). */
function installWithJupyter(spec, prefix) {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-kernel-"));
  try {
    fs.writeFileSync(path.join(staging, "kernel.json"), JSON.stringify(spec, null, 2));
    const where = prefix === undefined ? ["--user"] : ["--prefix", prefix];
    const result = spawnSync("jupyter", ["kernelspec", "install", ...where, "--name", KERNEL_NAME, staging], {
      stdio: "inherit",
    });
    if (result.status !== 0) throw new Error(`jupyter kernelspec install failed (exit ${result.status}).`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function installByHand(spec, prefix) {
  const dataDir = prefix === undefined ? userDataDir() : path.join(prefix, "share", "jupyter");
  const dir = path.join(dataDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2));
  console.log(`Installed kernelspec ${KERNEL_NAME} in ${dir}`);
}

function main() {
  const { prefix } = parseArgs(process.argv.slice(2));
  const spec = kernelSpec();
  linkPackage();
  if (jupyterUsable()) installWithJupyter(spec, prefix);
  else installByHand(spec, prefix);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
