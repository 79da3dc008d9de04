/**
 * Drawings (the SVG that each space's draw.ts makes: NAS-RL networks, DARTS, NAS-Bench-201 and
 * NASNet cells) as notebook outputs that every renderer shows. Sent as `image/svg+xml` alone they
 * are blank in nbconvert 6.5's HTML (it runs SVG outputs through lxml's cleaner, which drops the
 * unknown <svg> tags), so each output also carries an HTML rendition, which nbconvert, Jupyter
 * Notebook, JupyterLab and VS Code all prefer to SVG: an <img> with the SVG as a data URI. An
 * image keeps each drawing's marker ids and styles apart from the page and from other drawings,
 * as inline <svg> would not. Untrusted notebooks sanitise HTML and drop data URIs; the image's
 * alt text then says why the drawing is missing and how to show it.
 */
import { inNotebook, showBundle, type MimeBundle } from "./display";
import { escapeHtml } from "./html";

/** What a reader sees in place of a drawing that an untrusted notebook would not show. */
export function drawingAltText(description: string): string {
  return `Drawing of ${description}. Not shown: an untrusted notebook shows no inline images; trust it (Jupyter Notebook: File > Trust Notebook; JupyterLab: Trust Notebook in the command palette) and reload.`;
}

/** The drawing as an HTML <img>, the SVG inline as a data URI. */
export function drawingHtml(svg: string, description: string): string {
  const uri = `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
  return `<img class="nasbook-drawing" style="max-width:100%;" src="${uri}" alt="${escapeHtml(drawingAltText(description))}">`;
}

/** SVG for front-ends that take it, HTML for those that sanitise SVG away, text for consoles. */
export function drawingBundle(svg: string, description: string): MimeBundle {
  return { "image/svg+xml": svg, "text/html": drawingHtml(svg, description), "text/plain": description };
}

/** Shows a drawing as a notebook output; outside a notebook prints its description. */
export function showDrawing(svg: string, description: string): void {
  if (inNotebook()) showBundle(drawingBundle(svg, description));
  else console.log(description);
}
