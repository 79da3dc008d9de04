import { test } from "node:test";
import assert from "node:assert/strict";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { cellSvg } from "../../lib/spaces/darts/draw";
import { DARTS_OPS, EDGE_COUNT, edgeIndex, validateDartsGenotype, type DartsGenotype } from "../../lib/spaces/darts/genotypes";
import { DartsSpace } from "../../lib/spaces/darts/space";
import { deriveCell, deriveGenotype, type EdgeWeights } from "../../lib/strategies/darts/derive";

const space = new DartsSpace({ layers: 3, channels: 2 });

/** Uniform weights with chosen entries raised. */
function weightsWith(strong: Array<{ node: number; input: number; op: string; weight: number }>): EdgeWeights {
  const w = Array.from({ length: EDGE_COUNT }, () => DARTS_OPS.map(() => 0.1));
  for (const s of strong) w[edgeIndex(s.node, s.input)][DARTS_OPS.indexOf(s.op as never)] = s.weight;
  return w;
}

test("edges are indexed node by node, inputs ascending (14 in all)", () => {
  assert.equal(EDGE_COUNT, 14);
  assert.deepEqual([edgeIndex(0, 0), edgeIndex(0, 1), edgeIndex(1, 0), edgeIndex(2, 0), edgeIndex(3, 0), edgeIndex(3, 4)], [0, 1, 2, 5, 9, 13]);
});

test("derivation keeps the two strongest non-none edges per node and their best non-none op", () => {
  const weights = weightsWith([
    { node: 0, input: 1, op: "sep_conv_3x3", weight: 0.5 },
    { node: 0, input: 0, op: "skip_connect", weight: 0.3 },
    // node 1: input 2 is strongest, input 0 second; input 1's `none` is huge but does not count.
    { node: 1, input: 2, op: "dil_conv_5x5", weight: 0.6 },
    { node: 1, input: 0, op: "max_pool_3x3", weight: 0.4 },
    { node: 1, input: 1, op: "none", weight: 0.9 },
    // node 3: inputs 4 and 3.
    { node: 3, input: 4, op: "avg_pool_3x3", weight: 0.7 },
    { node: 3, input: 3, op: "sep_conv_5x5", weight: 0.2 },
  ]);
  const cell = deriveCell(weights);
  assert.deepEqual(cell.slice(0, 4), [
    { op: "skip_connect", input: 0 },
    { op: "sep_conv_3x3", input: 1 },
    { op: "max_pool_3x3", input: 0 },
    { op: "dil_conv_5x5", input: 2 },
  ]);
  assert.deepEqual(cell.slice(6), [
    { op: "sep_conv_5x5", input: 3 },
    { op: "avg_pool_3x3", input: 4 },
  ]);
  // Ties (node 2 is uniform) go to the lower inputs and the first non-none op.
  assert.deepEqual(cell.slice(4, 6), [
    { op: "max_pool_3x3", input: 0 },
    { op: "max_pool_3x3", input: 1 },
  ]);
  const genotype = deriveGenotype({ normal: weights, reduce: weights });
  assert.deepEqual(validateDartsGenotype(genotype), genotype);
});

test("genotypes round-trip through JSON and the token encoding", () => {
  const rng = new Rng(1);
  const decisions = space.decisions();
  assert.equal(decisions.length, 24);
  for (let i = 0; i < 50; i++) {
    const g = space.sample(rng);
    assert.deepEqual(space.validate(JSON.parse(JSON.stringify(g))), g);
    const tokens = space.encode(g);
    tokens.forEach((t, j) => assert.ok(Number.isInteger(t) && t >= 0 && t < decisions[j].choices, decisions[j].name));
    assert.deepEqual(space.decode(tokens), g);
  }
});

test("validate names the bad field", () => {
  const good = space.sample(new Rng(2));
  const broken = (edit: (g: DartsGenotype) => void) => {
    const g = JSON.parse(JSON.stringify(good));
    edit(g);
    return () => space.validate(g);
  };
  const field = (fieldName: string) => (e: unknown) => e instanceof GenotypeError && e.field === fieldName;
  assert.throws(broken((g) => ((g.normal[3] as { op: string }).op = "conv_9x9")), field("normal[3].op"));
  assert.throws(broken((g) => (g.normal[3].op = "none")), field("normal[3].op"));
  assert.throws(broken((g) => (g.reduce[0].input = 2)), field("reduce[0].input"));
  assert.throws(broken((g) => (g.reduce[7] = { op: g.reduce[6].op, input: g.reduce[6].input })), field("reduce[7].input"));
  assert.throws(broken((g) => g.normal.pop()), field("normal"));
  assert.throws(broken((g) => (g.reduce_concat = [2, 3])), field("reduce_concat"));
  assert.throws(() => space.validate("sep_conv_3x3"), field("genotype"));
});

test("mutation makes one valid change and is seeded", () => {
  const rng = new Rng(7);
  let g = space.sample(rng);
  for (let i = 0; i < 100; i++) {
    const child = space.mutate(g, rng);
    assert.deepEqual(space.validate(child), child);
    assert.notDeepEqual(child, g);
    const changed = space.encode(child).filter((t, j) => t !== space.encode(g)[j]).length;
    assert.ok(changed >= 1 && changed <= 3, `one edge changes (at most a node's three tokens), got ${changed}`);
    g = child;
  }
  assert.deepEqual(space.mutate(g, new Rng(9)), space.mutate(g, new Rng(9)));
});

test("a cell drawing is an SVG naming every kept op", () => {
  const g = space.sample(new Rng(4));
  const svg = cellSvg(g.normal, "normal cell");
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  for (const edge of g.normal) assert.ok(svg.includes(`>${edge.op}</text>`), edge.op);
  assert.equal(svg.match(/marker-end=/g)?.length, 8 + 4, "8 edges and 4 concat arrows");
  assert.ok(svg.includes("c_{k-2}") && svg.includes("normal cell"));
});
