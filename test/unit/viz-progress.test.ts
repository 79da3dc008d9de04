import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, formatProgress, ProgressBar, type ProgressStream } from "../../lib/viz/progress";

/** A stream that keeps what is written; `isTTY` decides which rendering the bar picks. */
function captureStream(isTTY: boolean): ProgressStream & { chunks: string[] } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) };
}

test("on a non-TTY stream a long loop prints a bounded number of plain lines", () => {
  const stream = captureStream(false);
  const bar = new ProgressBar({ total: 10_000, label: "trials", stream });
  for (let done = 1; done <= 10_000; done++) bar.update(done, `trial ${done}`);
  const output = stream.chunks.join("");
  const lines = output.split("\n").filter((line) => line !== "");
  assert.ok(lines.length >= 10 && lines.length <= 11, `${lines.length} lines:\n${output}`);
  assert.doesNotMatch(output, /\r|\x1b/, "no terminal control characters in logs");
  assert.match(lines[lines.length - 1], /^trials \[#{20}\] 10000\/10000 100% .* it\/s in 0:\d\d trial 10000$/);
});

test("on a TTY the bar redraws one line in place, throttled, and ends it when finished", () => {
  const stream = captureStream(true);
  const bar = new ProgressBar({ total: 5_000, label: "epochs", stream });
  for (let done = 1; done <= 5_000; done++) bar.update(done);
  assert.ok(stream.chunks.length <= 5, `${stream.chunks.length} redraws`);
  for (const chunk of stream.chunks) assert.ok(chunk.startsWith("\r") && chunk.includes("\x1b[K"));
  assert.match(stream.chunks[stream.chunks.length - 1], /5000\/5000 100% .*\n$/);
});

test("finish() ends a loop that stops early, and a ProgressCallback drives the same bar", () => {
  const stream = captureStream(false);
  const bar = new ProgressBar({ total: 10, label: "search", stream });
  bar.update(3);
  bar.finish("budget exhausted");
  bar.finish();
  bar.callback(1, 4, "epoch 1");
  bar.callback(4, 4, "epoch 4");
  const lines = stream.chunks.join("").trimEnd().split("\n");
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.match(lines[1], /^search \[#{6}\.{14}\] 3\/10 30% .*in 0:00 budget exhausted$/);
  assert.match(lines[2], /^search .* 1\/4 25% .*epoch 1$/);
  assert.match(lines[3], /^search \[#{20}\] 4\/4 100% .*in 0:00 epoch 4$/);
});

test("progress lines show rate and ETA, in seconds per item when items are slow", () => {
  const state = { label: "train", done: 25, total: 100, elapsedSeconds: 10, finished: false };
  assert.equal(formatProgress(state, 4), "train [#...] 25/100 25% 2.50 it/s ETA 0:30");
  assert.equal(formatProgress({ ...state, done: 1, total: 10, elapsedSeconds: 30, text: "acc 0.9" }, 4), "train [....] 1/10 10% 30.0 s/it ETA 4:30 acc 0.9");
  assert.equal(formatProgress({ ...state, done: 0, elapsedSeconds: 0 }, 4), "train [....] 0/100 0% ETA ?");
  assert.equal(formatDuration(75), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
});

test("a total of 0 (unknown) never finishes the bar by itself: one redrawn line until finish()", () => {
  const stream = captureStream(true);
  const bar = new ProgressBar({ total: 0, label: "download", stream });
  for (let mib = 1; mib <= 3; mib++) bar.callback(mib * 2 ** 20, 0, "Downloading");
  assert.ok(stream.chunks.every((chunk) => !chunk.endsWith("\n")), stream.chunks.join("|"));
  assert.match(stream.chunks[stream.chunks.length - 1], /ETA \?/);
  bar.finish();
  assert.ok(stream.chunks[stream.chunks.length - 1].endsWith("\n"));
});

test("a resumed loop's rate and ETA count only the units done since it started, not the replayed ones", () => {
  // 900 of 1000 replayed, then 10 more in 20 s: 2 s per unit, 90 left, 3 minutes.
  const state = { label: "build", done: 910, total: 1000, doneBefore: 900, elapsedSeconds: 20, finished: false };
  assert.equal(formatProgress(state, 4), "build [####] 910/1000 91% 2.00 s/it ETA 3:00");
});
