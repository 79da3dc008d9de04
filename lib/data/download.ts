/**
 * Fetching one file over http(s) into the cache: streamed to a temporary file while its md5 is
 * computed, and renamed into place only when the checksum matches. Any failure (network, HTTP
 * status, short body, wrong checksum) removes the temporary file and throws a DatasetError.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { basename, dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { DatasetError } from "../core/errors";
import type { ProgressCallback } from "../core/types";
import { ensureDirectory, temporaryPath } from "../core/atomic-files";

const MAX_REDIRECTS = 5;
const IDLE_TIMEOUT_MS = 30_000;

/** Resolves with the response of a GET that answered 200, following redirects. */
function get(url: string, redirectsLeft = MAX_REDIRECTS): Promise<http.IncomingMessage> {
  const client = new URL(url).protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location && redirectsLeft > 0) {
        response.resume();
        resolve(get(new URL(location, url).href, redirectsLeft - 1));
      } else if (status !== 200) {
        response.resume();
        reject(new Error(`the server answered HTTP ${status}`));
      } else {
        resolve(response);
      }
    });
    request.on("error", reject);
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
  });
}

/**
 * Downloads `url` to `file`, checking its md5 (hex). Progress is in bytes (total 0 when the
 * server does not say the size).
 */
export async function downloadVerified(
  url: string,
  file: string,
  md5: string,
  onProgress?: ProgressCallback,
): Promise<void> {
  ensureDirectory(dirname(file));
  const temporary = temporaryPath(file);
  const text = `Downloading ${basename(file)}`;
  const hash = createHash("md5");
  let received = 0;
  try {
    const response = await get(url);
    const total = Number(response.headers["content-length"] ?? 0);
    let reportedStep = -1;
    await pipeline(
      response,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          received += chunk.length;
          // One report per percent, or per MiB when the size is unknown.
          const step = total > 0 ? Math.floor((100 * received) / total) : Math.floor(received / 2 ** 20);
          if (step !== reportedStep) onProgress?.(received, total, text);
          reportedStep = step;
          yield chunk;
        }
      },
      createWriteStream(temporary),
    );
    if (total > 0 && received !== total) throw new Error(`the connection closed after ${received} of ${total} bytes`);
    const actual = hash.digest("hex");
    if (actual !== md5.toLowerCase()) {
      const why = `its md5 is ${actual}, not ${md5}; nothing was kept`;
      throw new DatasetError(`Downloaded ${url} (${received} bytes), but ${why}.`);
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`Downloading ${url} failed: ${(error as Error).message}.`);
  }
}

/** The md5 (hex) of bytes in memory, to check a file that is already on disk. */
export function md5Of(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}
