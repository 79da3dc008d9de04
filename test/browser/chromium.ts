/// <reference lib="dom" />
/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by puppeteer-core (no
 * browser download), and what one page shows once its figures have had time to draw:
 * plotly figures drawn (a plot with marks in it) or the note they show instead, drawings whose
 * image has painted pixels, formulas typeset by MathJax, and every console error or page error.
 */
import * as fs from "fs";
import * as path from "path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const SCREENSHOTS = path.join(ROOT, "build", "screenshots");

/** Debian's chromium, or NASBOOK_CHROMIUM. */
function chromiumPath(): string {
  const candidate = process.env.NASBOOK_CHROMIUM ?? "/usr/bin/chromium";
  if (!fs.existsSync(candidate)) {
    throw new Error(`No Chromium at ${candidate}: apt-get install chromium, or set NASBOOK_CHROMIUM.`);
  }
  return candidate;
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Chromium refuses to start as root (CI and this sandbox run as root) unless its own sandbox is
    // off; the pages it opens are this project's outputs. A small /dev/shm in containers crashes tabs.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** Console errors and uncaught exceptions of a page, gathered as they happen. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url ?? ""})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error instanceof Error ? error.message : String(error)}`));
  return errors;
}

export interface FigureState {
  readonly id: string;
  /** plotly drew it: its plot has data and at least one mark (a non-empty path, a bar, an image). */
  readonly drawn: boolean;
  readonly marks: number;
  /** What the div says instead, when it did not draw. */
  readonly text: string;
}

export interface DrawingState {
  readonly alt: string;
  /** Pixels of the decoded image that are neither transparent nor white. */
  readonly inkedPixels: number;
}

export interface PageState {
  readonly figures: readonly FigureState[];
  readonly drawings: readonly DrawingState[];
  readonly formulas: number;
}

/** Reads what `page` shows now (runs in the page). */
export function pageState(page: Page): Promise<PageState> {
  return page.evaluate(async () => {
    const figures = Array.from(document.querySelectorAll<HTMLElement>(".nasbook-figure")).map((div) => {
      const data = (div as unknown as { _fullData?: unknown[] })._fullData ?? [];
      const marks = Array.from(div.querySelectorAll(".main-svg .trace path, .main-svg .trace image, .main-svg .hm image")).filter(
        (mark) => mark.tagName.toLowerCase() === "image" || (mark.getAttribute("d") ?? "").length > 3,
      ).length;
      return { id: div.id, drawn: data.length > 0 && marks > 0, marks, text: (div.textContent ?? "").slice(0, 300) };
    });
    const drawings = await Promise.all(
      Array.from(document.querySelectorAll<HTMLImageElement>("img.nasbook-drawing")).map(async (img) => {
        let inkedPixels = 0;
        if (img.getAttribute("src")) {
          await img.decode().catch(() => undefined);
          if (img.naturalWidth > 0) {
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth;
            canvas.height = img.naturalHeight;
            const context = canvas.getContext("2d")!;
            context.drawImage(img, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < pixels.length; i += 4) {
              if (pixels[i + 3] > 0 && (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240)) inkedPixels += 1;
            }
          }
        }
        return { alt: img.alt, inkedPixels };
      }),
    );
    const formulas = document.querySelectorAll(".MathJax, .MathJax_CHTML, .MathJax_SVG, mjx-container").length;
    return { figures, drawings, formulas };
  });
}

/** Polls until every figure has drawn or given up (no longer shows its initial note), or `timeoutMs`. */
export async function settledState(page: Page, timeoutMs: number, isSettled = (state: PageState) => state.figures.every((f) => f.drawn)): Promise<PageState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await pageState(page);
    if (isSettled(state) || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  return file;
}

/** A one-line account of figures that did not draw and drawings without ink, for assertion messages. */
export function problems(state: PageState): string[] {
  return [
    ...state.figures.filter((f) => !f.drawn).map((f) => `figure ${f.id} did not draw (${f.marks} marks): ${f.text}`),
    ...state.drawings.filter((d) => d.inkedPixels < 100).map((d) => `drawing without shapes (${d.inkedPixels} inked pixels): ${d.alt.slice(0, 120)}`),
  ];
}
