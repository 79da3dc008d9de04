/**
 * Just enough of the tar format to unpack a dataset archive: a sequence of 512-byte headers,
 * each followed by its file's bytes padded to a multiple of 512, ended by zero blocks. Only
 * regular files are returned; directories, links and pax/GNU extension records are skipped.
 * A truncated archive shows up as an entry running past the end (or as files missing).
 */
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { DatasetError } from "../core/errors";

export interface TarEntry {
  /** Path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin`. */
  readonly name: string;
  readonly data: Uint8Array;
}

const BLOCK = 512;
const gunzipAsync = promisify(gunzip);

function text(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString("utf8");
}

function octal(header: Uint8Array, start: number, length: number): number {
  return parseInt(text(header, start, length).trim() || "0", 8);
}

/** The header checksum: the sum of all its bytes, counting the checksum field as spaces. */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

/** Lists the regular files of an uncompressed tar archive; `file` names it in errors. */
function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const corrupt = (offset: number, why: string) =>
    new DatasetError(`${file} is not a valid tar archive: ${why} at byte ${offset}.`);
  const entries: TarEntry[] = [];
  for (let offset = 0; offset + BLOCK <= bytes.length; ) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries;
    if (octal(header, 148, 8) !== checksum(header)) throw corrupt(offset, "header checksum mismatch");
    const size = octal(header, 124, 12);
    const start = offset + BLOCK;
    if (!Number.isFinite(size) || start + size > bytes.length) throw corrupt(offset, "entry runs past the end");
    const type = String.fromCharCode(header[156]);
    if (type === "0" || type === "\0") {
      // POSIX ustar keeps long paths as prefix + "/" + name; old GNU headers use those bytes otherwise.
      const prefix = text(header, 257, 6) === "ustar" ? text(header, 345, 155) : "";
      const name = text(header, 0, 100);
      entries.push({ name: prefix ? `${prefix}/${name}` : name, data: bytes.subarray(start, start + size) });
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

/** Decompresses a .tar.gz held in memory and lists its regular files. */
export async function readTarGz(bytes: Uint8Array, file: string): Promise<TarEntry[]> {
  let tar: Buffer;
  try {
    tar = await gunzipAsync(bytes);
  } catch (error) {
    throw new DatasetError(`${file} is not a valid gzip file: ${(error as Error).message}.`);
  }
  return readTar(tar, file);
}
