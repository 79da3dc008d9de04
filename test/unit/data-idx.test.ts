import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError } from "../../lib/core/errors";
import { parseIdx, readIdx } from "../../lib/data/idx";
import { mnistDataDir } from "../../lib/data/mnist";

/** An IDX file of unsigned bytes with the given dimensions and data. */
function idxBytes(dims: number[], data: number[], magicType = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = magicType;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

test("parseIdx reads dimensions and data", () => {
  const idx = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]), "inline");
  assert.deepEqual(idx.dims, [2, 3]);
  assert.deepEqual(Array.from(idx.data), [1, 2, 3, 4, 5, 6]);
});

test("the real MNIST test labels file parses", () => {
  const labels = readIdx(join(mnistDataDir(), "t10k-labels-idx1-ubyte"));
  assert.deepEqual(labels.dims, [10000]);
  assert.deepEqual(Array.from(labels.data.subarray(0, 5)), [7, 2, 1, 0, 4]);
});

test("corrupt IDX files give a DatasetError naming the file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "nasbook-idx-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["bad-magic", idxBytes([2], [1, 2], 0x0d), /magic number 0x00000d01/],
    ["too-short", idxBytes([2, 3], [1, 2, 3, 4, 5]), /need 6 data bytes, the file has 5/],
    ["too-long", idxBytes([2], [1, 2, 3]), /need 2 data bytes, the file has 3/],
    ["cut-header", idxBytes([2, 3], []).subarray(0, 9), /header of 2 dimensions is cut short/],
  ];
  for (const [name, bytes, why] of cases) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    assert.throws(
      () => readIdx(file),
      (error: unknown) => error instanceof DatasetError && error.message.includes(file) && why.test(error.message),
      name,
    );
  }
  const absent = join(dir, "absent");
  assert.throws(() => readIdx(absent), (e: unknown) => e instanceof DatasetError && e.message.includes(absent));
});
