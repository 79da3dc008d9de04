import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DatasetError } from "../../lib/core/errors";
import { loadCifar10 } from "../../lib/data/cifar10";
import { loadDataset } from "../../lib/data/index";

const RECORDS = 3;
const RECORD = 1 + 3 * 32 * 32;
const BATCH_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin");

/** Record n of file f: label (f + n) % 10; channel c of pixel p holds (f * 50 + n * 10 + c * 3 + p) % 256. */
function batchFile(f: number): Buffer {
  const bytes = Buffer.alloc(RECORDS * RECORD);
  for (let n = 0; n < RECORDS; n++) {
    bytes[n * RECORD] = (f + n) % 10;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) bytes[n * RECORD + 1 + c * 1024 + p] = (f * 50 + n * 10 + c * 3 + p) % 256;
    }
  }
  return bytes;
}

/** One ustar header + data block(s), as GNU tar writes them. */
function tarEntry(name: string, data: Buffer, type = "0"): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write(type, 156);
  header.write("ustar\u000000", 257);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((s, b) => s + b, 0);
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const ARCHIVE = gzipSync(
  Buffer.concat([
    tarEntry("cifar-10-batches-bin/", Buffer.alloc(0), "5"),
    tarEntry("cifar-10-batches-bin/batches.meta.txt", Buffer.from("airplane\n")),
    ...BATCH_FILES.map((name, f) => tarEntry(`cifar-10-batches-bin/${name}`, batchFile(f))),
    Buffer.alloc(1024),
  ]),
);
const MD5 = createHash("md5").update(ARCHIVE).digest("hex");

let server: http.Server;
let base = "";
let requests = 0;

before(async () => {
  server = http.createServer((request, response) => {
    requests++;
    if (request.url === "/cifar.tar.gz") {
      response.writeHead(200, { "content-length": ARCHIVE.length }).end(ARCHIVE);
    } else if (request.url === "/moved") {
      response.writeHead(302, { location: "/cifar.tar.gz" }).end();
    } else if (request.url === "/half") {
      // Promises the whole archive, sends half, then drops the connection.
      response.writeHead(200, { "content-length": ARCHIVE.length });
      response.write(ARCHIVE.subarray(0, ARCHIVE.length >> 1), () => response.destroy());
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const tempDirs: string[] = [];

after(() => {
  server.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "nasbook-cifar-"));
  tempDirs.push(dir);
  return dir;
}

/** Every file under `dir`, relative, sorted. */
function filesIn(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.path ?? "", e.name).slice(dir.length + 1))
    .sort();
}

let cacheDir = "";

test("downloads (following a redirect), verifies, extracts and parses CHW records as HWC", async () => {
  cacheDir = tempDir();
  const progress: Array<[number, number, string?]> = [];
  const before = requests;
  const onProgress = (done: number, total: number, text?: string) => progress.push([done, total, text]);
  const raw = await loadCifar10({ dataDir: cacheDir, url: `${base}/moved`, md5: MD5, onProgress });
  assert.equal(requests - before, 2, "the redirect and the archive");
  const expected = [...BATCH_FILES.map((name) => `cifar-10-batches-bin/${name}`), "cifar-10-binary.tar.gz"];
  assert.deepEqual(filesIn(cacheDir), expected.sort(), "the archive and the batch files, no temporary files");
  const size = ARCHIVE.length;
  assert.ok(progress.some(([d, t, text]) => d === size && t === size && text === "Downloading cifar-10-binary.tar.gz"));
  assert.equal(raw.train.count, 5 * RECORDS);
  assert.equal(raw.test.count, RECORDS);
  assert.deepEqual(Array.from(raw.train.labels), [0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6]);
  // Train example 4 is record 1 of file 1; pixel p = 33 (row 1, column 1), channel 2.
  assert.equal(raw.train.pixels[(4 * 1024 + 33) * 3 + 2], (50 + 10 + 6 + 33) % 256);
  assert.equal(raw.test.pixels[(2 * 1024 + 1023) * 3 + 0], (5 * 50 + 20 + 1023) % 256);
  assert.equal(await loadCifar10({ dataDir: cacheDir, url: `${base}/absent` }), raw, "parsed once per process");
});

test("loadDataset reads cached batch files without the network and splits them", async () => {
  const copy = tempDir();
  cpSync(join(cacheDir, "cifar-10-batches-bin"), join(copy, "cifar-10-batches-bin"), { recursive: true });
  const before = requests;
  const splits = await loadDataset("cifar10", { seed: 0, dataDir: copy, url: `${base}/absent` });
  assert.equal(requests, before);
  assert.deepEqual([splits.train.size, splits.valid.size, splits.test.size], [14, 1, 3]);
  assert.equal(splits.train.images.length, 14 * 32 * 32 * 3);
});

test("the URL and md5 can come from the environment", async () => {
  const dir = tempDir();
  const env = { NASBOOK_CIFAR10_URL: `${base}/cifar.tar.gz`, NASBOOK_CIFAR10_MD5: MD5 };
  const raw = await loadCifar10({ dataDir: dir, env });
  assert.equal(raw.test.count, RECORDS);
});

/** Asserts `promise` rejects with a DatasetError whose message contains every `parts`. */
async function rejectsMentioning(promise: Promise<unknown>, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DatasetError, String(error));
    for (const part of parts) assert.ok(error.message.includes(part), `"${error.message}" should mention ${part}`);
    assert.ok(!error.message.includes("\n"), "one paragraph");
    return true;
  });
}

test("a wrong checksum is refused and leaves no file behind", async () => {
  const dir = tempDir();
  const wrong = "0".repeat(32);
  const load = loadCifar10({ dataDir: dir, url: `${base}/cifar.tar.gz`, md5: wrong });
  await rejectsMentioning(load, MD5, wrong, join(dir, "cifar-10-binary.tar.gz"));
  assert.deepEqual(filesIn(dir), []);
});

test("a download cut off midway is refused and leaves no file behind", async () => {
  const dir = tempDir();
  const load = loadCifar10({ dataDir: dir, url: `${base}/half`, md5: MD5 });
  await rejectsMentioning(load, `${base}/half`, join(dir, "cifar-10-binary.tar.gz"));
  assert.deepEqual(filesIn(dir), []);
});

test("an unreachable server or a 404 says which file is expected where and where to get it", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/cifar.tar.gz`;
  await new Promise((resolve) => closed.close(resolve));
  const dir = tempDir();
  const archive = join(dir, "cifar-10-binary.tar.gz");
  const load = loadCifar10({ dataDir: dir, url: deadUrl, md5: MD5 });
  await rejectsMentioning(load, deadUrl, archive, join(dir, "cifar-10-batches-bin"), "ECONNREFUSED");
  await rejectsMentioning(loadCifar10({ dataDir: dir, url: `${base}/missing`, md5: MD5 }), "HTTP 404", archive);
  assert.deepEqual(filesIn(dir), []);
});

test("a corrupt archive or batch file on disk is named in the error", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "cifar-10-binary.tar.gz"), ARCHIVE.subarray(0, 1000));
  const load = loadCifar10({ dataDir: dir, url: `${base}/cifar.tar.gz`, md5: MD5 });
  await rejectsMentioning(load, join(dir, "cifar-10-binary.tar.gz"), "Delete it");

  const truncated = tempDir();
  cpSync(join(cacheDir, "cifar-10-batches-bin"), join(truncated, "cifar-10-batches-bin"), { recursive: true });
  const third = join(truncated, "cifar-10-batches-bin", "data_batch_3.bin");
  truncateSync(third, RECORD * 2 + 100);
  await rejectsMentioning(loadCifar10({ dataDir: truncated, md5: MD5 }), third, "3073-byte records");

  const badLabel = tempDir();
  cpSync(join(cacheDir, "cifar-10-batches-bin"), join(badLabel, "cifar-10-batches-bin"), { recursive: true });
  const testFile = join(badLabel, "cifar-10-batches-bin", "test_batch.bin");
  const bytes = batchFile(5);
  bytes[RECORD] = 200;
  writeFileSync(testFile, bytes);
  await rejectsMentioning(loadCifar10({ dataDir: badLabel, md5: MD5 }), testFile, "label 200 at record 1");
});
