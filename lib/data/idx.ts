/**
 * The IDX format of LeCun's MNIST files: a 4-byte magic number (two zero bytes, a type code,
 * the number of dimensions), one big-endian uint32 per dimension, then the values row-major.
 * MNIST and its drop-in replacements only use unsigned bytes (type 0x08), so that is all we read.
 */
import { readFileSync } from "node:fs";
import { DatasetError } from "../core/errors";

export interface IdxArray {
  readonly dims: readonly number[];
  /** Product of `dims` bytes, row-major. */
  readonly data: Uint8Array;
}

const UINT8_TYPE = 0x08;

/** Parses an IDX file already in memory; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const corrupt = (why: string) =>
    new DatasetError(`${file} is not a valid IDX file of unsigned bytes: ${why}.`);
  if (bytes.length < 4) throw corrupt(`only ${bytes.length} bytes long`);
  const [zero0, zero1, type, rank] = bytes;
  if (zero0 !== 0 || zero1 !== 0 || type !== UINT8_TYPE || rank === 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
    throw corrupt(`magic number 0x${magic}, expected 0x000008 followed by the number of dimensions`);
  }
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) throw corrupt(`header of ${rank} dimensions is cut short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerSize);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual !== expected) {
    throw corrupt(`dimensions [${dims.join(", ")}] need ${expected} data bytes, the file has ${actual}`);
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/** Reads and parses one IDX file. */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DatasetError(`Cannot read IDX file ${file}: ${(error as Error).message}.`);
  }
  return parseIdx(bytes, file);
}
