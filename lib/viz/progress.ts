/**
 * A live progress bar for long loops (training epochs, search trials). In a notebook it redraws
 * one output in place; on a terminal one line in place; into a log file or CI (a stream that is
 * not a TTY) it writes a plain line per tenth of the work, or after a long quiet spell.
 */
import type { ProgressCallback } from "../core/types";
import { inNotebook, LiveDisplay } from "./display";
import { escapeHtml } from "./html";

/** Where terminal progress goes: anything with `write`, e.g. `process.stderr`. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly total: number;
  readonly label?: string;
  /** Terminal output; stderr by default, so stdout stays for results. Ignored in notebooks. */
  readonly stream?: ProgressStream;
}

/** A snapshot of the work, everything a rendering shows. */
export interface ProgressState {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** Units already done when the clock started (a resumed run's replayed trials): not part of the rate. */
  readonly doneBefore?: number;
  readonly elapsedSeconds: number;
  readonly text?: string;
  readonly finished: boolean;
}

/** `75` → "1:15", `3725` → "1:02:05". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Items per second, or seconds per item when slower than one a second (typical of trials). */
function formatRate(done: number, seconds: number): string {
  if (done <= 0 || seconds <= 0) return "";
  const rate = done / seconds;
  const fixed = (x: number) => x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2);
  return rate >= 1 ? `${fixed(rate)} it/s` : `${fixed(1 / rate)} s/it`;
}

function fraction(state: ProgressState): number {
  return state.total > 0 ? Math.min(1, Math.max(0, state.done / state.total)) : 0;
}

/** Units done since the clock started. */
function doneNow(state: ProgressState): number {
  return state.done - (state.doneBefore ?? 0);
}

function formatTime(state: ProgressState): string {
  if (state.finished) return `in ${formatDuration(state.elapsedSeconds)}`;
  if (doneNow(state) <= 0 || state.total <= 0) return "ETA ?";
  return `ETA ${formatDuration((state.elapsedSeconds / doneNow(state)) * Math.max(0, state.total - state.done))}`;
}

/** One line: "label [######......] 42/100 42% 3.10 it/s ETA 0:19 text". */
export function formatProgress(state: ProgressState, barWidth = 20): string {
  const filled = Math.round(fraction(state) * barWidth);
  const parts = [
    state.label,
    `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]`,
    `${state.done}/${state.total}`,
    `${Math.floor(fraction(state) * 100)}%`,
    formatRate(doneNow(state), state.elapsedSeconds),
    formatTime(state),
    state.text ?? "",
  ];
  return parts.filter((part) => part !== "").join(" ");
}

/** Decides when to draw and draws; a finished state is always drawn. */
interface ProgressSink {
  render(state: ProgressState): void;
  /** Forget what was drawn: the bar starts a new run. */
  restart(): void;
}

/** Redraws at most every `intervalMs`, and always the final state. */
abstract class ThrottledSink implements ProgressSink {
  private lastDraw = -Infinity;
  constructor(private readonly intervalMs: number) {}

  render(state: ProgressState): void {
    const now = Date.now();
    if (!state.finished && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.draw(state);
  }

  restart(): void {
    this.lastDraw = -Infinity;
  }

  protected abstract draw(state: ProgressState): void;
}

class NotebookSink extends ThrottledSink {
  private readonly display = new LiveDisplay();
  constructor() {
    super(200);
  }

  protected draw(state: ProgressState): void {
    const line = formatProgress(state);
    const html =
      `<div class="nasbook-progress"><progress value="${state.done}" max="${Math.max(state.total, 1)}" style="width:20em"></progress>` +
      ` <code>${escapeHtml(line)}</code></div>`;
    this.display.show({ "text/html": html, "text/plain": line });
  }
}

class TtySink extends ThrottledSink {
  constructor(private readonly stream: ProgressStream) {
    super(100);
  }

  protected draw(state: ProgressState): void {
    // \r back to the line start, \x1b[K clears what a longer previous line left behind.
    this.stream.write(`\r${formatProgress(state)}\x1b[K${state.finished ? "\n" : ""}`);
  }
}

/** Logs and CI: a line per tenth of the work or per quiet minute, so a long loop logs tens of lines, not thousands. */
class LogSink implements ProgressSink {
  private lastTenth = -1;
  private lastLine = -Infinity;
  constructor(private readonly stream: ProgressStream) {}

  render(state: ProgressState): void {
    const tenth = Math.floor(fraction(state) * 10);
    const now = Date.now();
    if (!state.finished && tenth <= this.lastTenth && now - this.lastLine < 60_000) return;
    this.lastTenth = tenth;
    this.lastLine = now;
    this.stream.write(`${formatProgress(state)}\n`);
  }

  restart(): void {
    this.lastTenth = -1;
    this.lastLine = -Infinity;
  }
}

function sinkFor(stream: ProgressStream): ProgressSink {
  if (inNotebook()) return new NotebookSink();
  return stream.isTTY === true ? new TtySink(stream) : new LogSink(stream);
}

export class ProgressBar {
  private total: number;
  private readonly label: string;
  private readonly sink: ProgressSink;
  /** When the first update came, not construction: a bar may be made long before its loop starts. */
  private started: number | undefined;
  private doneBefore = 0;
  private done = 0;
  private text: string | undefined;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.total = options.total;
    this.label = options.label ?? "";
    this.sink = sinkFor(options.stream ?? process.stderr);
  }

  /**
   * Records `done` units of `total` (absolute, not an increment); reaching `total` finishes the
   * bar, unless the total is unknown (0: a download of unreported size), which only `finish` ends.
   * Updating a finished bar starts a new run on the same line or output.
   */
  update(done: number, text?: string): void {
    if (this.finished) this.restart();
    if (this.started === undefined) {
      this.started = Date.now();
      this.doneBefore = done;
    }
    this.done = done;
    this.text = text;
    if (this.total > 0 && done >= this.total) this.finish();
    else this.sink.render(this.state());
  }

  /** Draws the final state (elapsed time instead of ETA) and ends the terminal line; for loops that stop early. */
  finish(text?: string): void {
    if (this.finished) return;
    if (text !== undefined) this.text = text;
    this.finished = true;
    this.sink.render(this.state());
  }

  /** For code that reports through a `ProgressCallback` (evaluators, searches). */
  readonly callback: ProgressCallback = (done, total, text) => {
    this.total = total;
    this.update(done, text);
  };

  private state(): ProgressState {
    const elapsedSeconds = this.started === undefined ? 0 : (Date.now() - this.started) / 1000;
    const { label, done, total, doneBefore, text, finished } = this;
    return { label, done, total, doneBefore, elapsedSeconds, text, finished };
  }

  private restart(): void {
    this.started = Date.now();
    this.doneBefore = 0;
    this.finished = false;
    this.sink.restart();
  }
}
