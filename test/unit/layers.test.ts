/**
 * The layering of lib/, read from the sources' import statements: the lower layers never import
 * lib/experiment or lib/cli, and no chain of imports leads back to where it started.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const LIB = path.resolve(__dirname, "..", "..", "..", "lib");
const UPPER = ["experiment", "cli"];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}

/** The lib/ files a source imports or re-exports from (relative specifiers only; type-only imports count). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s+"(\.[^"]+)"/g)].map((m) => m[1]);
  return specifiers.map((specifier) => {
    const base = path.resolve(path.dirname(file), specifier);
    const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
    assert.ok(resolved, `${path.relative(LIB, file)} imports ${specifier}, which is not a lib/ source`);
    return resolved;
  });
}

const graph = new Map(sources(LIB).map((file) => [file, importsOf(file)]));
const name = (file: string) => path.relative(LIB, file);
const layer = (file: string) => name(file).split(path.sep)[0];

test("no lower layer imports lib/experiment or lib/cli", () => {
  const upward = [...graph].flatMap(([file, imports]) =>
    UPPER.includes(layer(file)) || file === path.join(LIB, "index.ts")
      ? []
      : imports.filter((target) => UPPER.includes(layer(target))).map((target) => `${name(file)} -> ${name(target)}`),
  );
  assert.deepEqual(upward, []);
});

test("the import graph of lib/ has no cycle", () => {
  const done = new Set<string>();
  const cycles: string[] = [];
  // Depth-first; a file met again while still on the path closes a cycle.
  const visit = (file: string, trail: string[]): void => {
    const at = trail.indexOf(file);
    if (at >= 0) {
      cycles.push([...trail.slice(at), file].map(name).join(" -> "));
      return;
    }
    if (done.has(file)) return;
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});
