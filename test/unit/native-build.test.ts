/**
 * The install step that builds the native addon never fails the install: it says why and goes
 * on. And the addon built for other x86 CPUs (AVX-512 where this one has it, AVX2, plain SSE2:
 * other vector widths and tile heights) computes what this machine's build computes (which
 * kernels.test.ts checks against cpu).
 */
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

type Kernel = (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void;
type Addon = Record<"conv2d" | "conv2dFilterGrad" | "depthwiseConv2d" | "depthwiseFilterGrad" | "depthwiseInputGrad" | "maxPoolGrad" | "avgPoolGrad" | "channelAffine", Kernel> & {
  setThreads(n: number): number;
};

let seed = 11;
function random(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 1073741824 - 1;
  });
}

/** Every kernel once, on sizes with partial tiles (20 input and 37, 8 or 9 output channels, odd pixel counts). */
function runAll(addon: Addon): Float32Array[] {
  seed = 11;
  addon.setThreads(2);
  // x [3, 9, 7, 20], 3x3, stride 1, 'same'.
  const conv = Int32Array.of(3, 9, 7, 20, 3, 3, 37, 9, 7, 1, 1, 1, 1, 1, 1);
  const depthwise = Int32Array.of(3, 9, 7, 20, 3, 3, 20, 5, 4, 2, 2, 1, 1, 1, 1);
  const depthwiseDilated = Int32Array.of(3, 9, 7, 20, 3, 3, 20, 9, 7, 1, 1, 2, 2, 2, 2);
  const pool = Int32Array.of(3, 9, 7, 20, 3, 3, 20, 4, 3, 2, 2, 1, 1, 0, 0);
  const rows = Int32Array.of(189, 1, 1, 20, 1, 1, 20, 1, 1, 1, 1, 1, 1, 0, 0);
  const x = random(3 * 9 * 7 * 20);
  const outputs: Float32Array[] = [];
  const run = (kernel: Kernel, b: Float32Array, size: number, geometry: Int32Array, a = x) => {
    const out = new Float32Array(size);
    kernel(a, b, out, geometry);
    outputs.push(out);
  };
  run(addon.conv2d, random(9 * 20 * 37), 3 * 9 * 7 * 37, conv);
  run(addon.conv2dFilterGrad, random(3 * 9 * 7 * 37), 9 * 20 * 37, conv);
  // 8 channels out (half a vector under AVX-512) and 9 from a 5x3 window (the filter gradient's tile rows are the channels).
  const eight = Int32Array.of(3, 9, 7, 20, 3, 3, 8, 9, 7, 1, 1, 1, 1, 1, 1);
  const nine = Int32Array.of(3, 9, 7, 20, 5, 3, 9, 9, 7, 1, 1, 1, 1, 2, 1);
  run(addon.conv2d, random(9 * 20 * 8), 3 * 9 * 7 * 8, eight);
  run(addon.conv2dFilterGrad, random(3 * 9 * 7 * 8), 9 * 20 * 8, eight);
  run(addon.conv2d, random(15 * 20 * 9), 3 * 9 * 7 * 9, nine);
  run(addon.conv2dFilterGrad, random(3 * 9 * 7 * 9), 15 * 20 * 9, nine);
  run(addon.depthwiseConv2d, random(9 * 20), 3 * 5 * 4 * 20, depthwise);
  run(addon.depthwiseFilterGrad, random(3 * 5 * 4 * 20), 9 * 20, depthwise);
  run(addon.maxPoolGrad, random(3 * 4 * 3 * 20), 3 * 9 * 7 * 20, pool);
  run(addon.avgPoolGrad, random(3 * 4 * 3 * 20), 3 * 9 * 7 * 20, pool);
  run(addon.channelAffine, random(40), 3 * 9 * 7 * 20, rows);
  run(addon.depthwiseInputGrad, random(9 * 20), 3 * 9 * 7 * 20, depthwise, random(3 * 5 * 4 * 20));
  run(addon.depthwiseInputGrad, random(9 * 20), 3 * 9 * 7 * 20, depthwiseDilated, random(3 * 9 * 7 * 20));
  return outputs;
}

const ADDON = path.join(ROOT, "native", "build", "Release", "nasbook_native.node");
const otherX86 = process.arch !== "x64" ? "not an x86-64 machine" : !fs.existsSync(ADDON) ? "the addon is not built here" : false;

/** x86-64-v4 (AVX-512: 16-float vectors, 8-channel tiles in half of one) only runs on a CPU that has it. */
function otherMarches(): string[] {
  const avx512 = fs.existsSync("/proc/cpuinfo") && /\bavx512f\b/.test(fs.readFileSync("/proc/cpuinfo", "utf8"));
  return [...(avx512 ? ["x86-64-v4"] : []), "x86-64-v3", "x86-64"];
}

test("the addon built for AVX-512, AVX2 and plain x86-64 computes what this machine's build does", { skip: otherX86 }, () => {
  const reference = runAll(require(ADDON) as Addon);
  for (const march of otherMarches()) {
    const dir = scratchCopy();
    try {
      const run = build(dir, { GYP_DEFINES: `march=${march}` });
      assert.equal(run.status, 0, run.stderr);
      const file = path.join(dir, "native", "build", "Release", "nasbook_native.node");
      assert.ok(fs.existsSync(file), `${march}: ${run.stdout}${run.stderr}`);
      const outputs = runAll(require(file) as Addon);
      outputs.forEach((values, k) => {
        const scale = Math.max(1, ...reference[k].map(Math.abs));
        values.forEach((v, i) => assert.ok(Math.abs(v - reference[k][i]) <= 1e-4 * scale, `${march} kernel ${k} [${i}]: ${v} vs ${reference[k][i]}`));
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
