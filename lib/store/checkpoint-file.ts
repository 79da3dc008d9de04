/**
 * A checkpoint on disk: one file, written atomically, so a kill leaves the previous checkpoint
 * or the new one, never half of each. Layout:
 *   "nasbook-checkpoint 1\n"
 *   one line of JSON: { meta, shapes }      (meta: whatever the method keeps; shapes: one per tensor)
 *   zero to three spaces, so the values start at a multiple of 4 bytes
 *   every tensor's float32 values, little-endian, in order
 */
import * as fs from "node:fs";
import { writeFileAtomic } from "../core/atomic-files";
import { RunStoreError } from "../core/errors";
import { withFileErrors } from "../core/file-errors";
import type { Json } from "../core/types";
import type { SavedTensor } from "../nn/saved-tensors";

export interface Checkpoint {
  readonly meta: Json;
  readonly tensors: SavedTensor[];
}

const MAGIC = "nasbook-checkpoint 1\n";

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const shapes = checkpoint.tensors.map((t) => [...t.shape]);
  let header = `${MAGIC}${JSON.stringify({ meta: checkpoint.meta, shapes })}\n`;
  header += " ".repeat((4 - (Buffer.byteLength(header) % 4)) % 4);
  const head = Buffer.from(header, "utf8");
  const floats = checkpoint.tensors.reduce((n, t) => n + t.values.length, 0);
  const bytes = new Uint8Array(head.length + 4 * floats);
  bytes.set(head, 0);
  const view = new DataView(bytes.buffer);
  let offset = head.length;
  for (const { values } of checkpoint.tensors) {
    for (const value of values) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  return bytes;
}

/** The checkpoint in `bytes`; a RunStoreError naming `file` when they are not one. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const broken = (why: string) => new RunStoreError(`${file} is not a nasbook checkpoint (${why}); delete it to start that search again.`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (text.subarray(0, MAGIC.length).toString("utf8") !== MAGIC) throw broken("it does not start with the checkpoint header");
  const end = text.indexOf(0x0a, MAGIC.length);
  if (end < 0) throw broken("its header line has no end");
  let header: { meta: Json; shapes: number[][] };
  try {
    header = JSON.parse(text.subarray(MAGIC.length, end).toString("utf8"));
  } catch {
    throw broken("its header is not valid JSON");
  }
  const shapes = header?.shapes;
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0))) {
    throw broken("its header has no valid `shapes`");
  }
  let offset = end + 1;
  while (offset < bytes.length && offset % 4 !== 0 && bytes[offset] === 0x20) offset++;
  const sizes = shapes.map((s) => s.reduce((n, d) => n * d, 1));
  const floats = sizes.reduce((n, k) => n + k, 0);
  if (bytes.length - offset !== 4 * floats) throw broken(`its header names ${floats} values, the file holds ${(bytes.length - offset) / 4}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const tensors = shapes.map((shape, i) => {
    const values = new Float32Array(sizes[i]);
    for (let k = 0; k < values.length; k++, offset += 4) values[k] = view.getFloat32(offset, true);
    return { shape, values };
  });
  return { meta: header.meta, tensors };
}

export function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  withFileErrors(`write the checkpoint ${file}`, () => writeFileAtomic(file, encodeCheckpoint(checkpoint)));
}

/** The checkpoint at `file`; null when there is none. */
export function readCheckpoint(file: string): Checkpoint | null {
  if (!fs.existsSync(file)) return null;
  return decodeCheckpoint(withFileErrors(`read the checkpoint ${file}`, () => fs.readFileSync(file)), file);
}
