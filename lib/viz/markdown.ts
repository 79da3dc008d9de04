/** Prose computed from results (a notebook's conclusions), rendered as Markdown in a notebook. */
import { inNotebook, showBundle } from "./display";

export function showMarkdown(text: string): void {
  if (inNotebook()) showBundle({ "text/markdown": text, "text/plain": text });
  else console.log(text);
}
