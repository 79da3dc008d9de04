import { test } from "node:test";
import assert from "node:assert/strict";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { allNb201Genotypes, nb201GenotypeAt, nb201Index } from "../../lib/spaces/nb201/canonical";
import { nb201Svg } from "../../lib/spaces/nb201/draw";
import { NB201_EDGES, formatNb201, parseNb201, type Nb201Genotype } from "../../lib/spaces/nb201/genotypes";
import { Nb201Space } from "../../lib/spaces/nb201/space";
import { spaceFromSpec } from "../../lib/spaces/registry";

const space = new Nb201Space({ cellsPerStage: 1, channels: 4 });
const EXAMPLE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

const field = (name: string) => (e: unknown) => e instanceof GenotypeError && e.field === name;
const mentions = (...parts: string[]) => (e: unknown) => e instanceof GenotypeError && parts.every((p) => e.message.includes(p));

test("edges are listed in architecture-string order and named for decisions", () => {
  assert.deepEqual(
    NB201_EDGES.map((e) => e.name),
    ["node1.from0", "node2.from0", "node2.from1", "node3.from0", "node3.from1", "node3.from2"],
  );
  assert.deepEqual(
    space.decisions().map((d) => [d.name, d.choices]),
    NB201_EDGES.map((e) => [e.name, 5]),
  );
});

test("the paper's example string parses to its ops and prints back", () => {
  const g = parseNb201(EXAMPLE);
  assert.deepEqual(g.edges, ["nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect"]);
  assert.equal(formatNb201(g), EXAMPLE);
  assert.equal(space.describe(g), EXAMPLE);
});

test("all 15,625 cells round-trip through the string, the tokens, JSON and the enumeration index", () => {
  const all = allNb201Genotypes();
  assert.equal(all.length, 15625);
  const strings = new Set<string>();
  all.forEach((g, i) => {
    const text = formatNb201(g);
    strings.add(text);
    assert.deepEqual(parseNb201(text), g, text);
    assert.deepEqual(space.decode(space.encode(g)), g, text);
    assert.deepEqual(space.validate(JSON.parse(JSON.stringify(g))), g, text);
    assert.equal(nb201Index(g), i);
  });
  assert.equal(strings.size, 15625, "every cell prints differently");
  assert.deepEqual(nb201GenotypeAt(0).edges, Array(6).fill("none"));
  assert.throws(() => nb201GenotypeAt(15625), RangeError);
});

test("parse errors say what is wrong and where", () => {
  assert.throws(() => parseNb201("|none~0|+|none~0|none~1|"), mentions("3 node groups", "has 2"));
  assert.throws(() => parseNb201("|none~0|+|none~0|+|none~0|none~1|none~2|"), mentions("node 2's group", "|op~0|op~1|"));
  assert.throws(() => parseNb201("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|"), mentions("node 2's term 1", "~0"));
  assert.throws(() => parseNb201("|conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"), mentions("node 1's term 1", 'unknown op "conv_3x3"', "nor_conv_3x3"));
  assert.throws(() => parseNb201("none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), mentions("node 1's group"));
  assert.throws(() => parseNb201("|none~0~1|+|none~0|none~1|+|none~0|none~1|none~2|"), mentions("node 1's term 1"));
});

test("validate names the bad field", () => {
  const good = parseNb201(EXAMPLE);
  const broken = (edit: (g: { edges: unknown[] }) => void) => {
    const g = JSON.parse(JSON.stringify(good));
    edit(g);
    return () => space.validate(g);
  };
  assert.throws(() => space.validate([]), field("genotype"));
  assert.throws(broken((g) => g.edges.pop()), field("edges"));
  assert.throws(broken((g) => (g.edges[2] = "max_pool_3x3")), field("edges[2] (node2.from1)"));
  assert.throws(broken((g) => (g.edges[5] = 3)), field("edges[5] (node3.from2)"));
  assert.throws(() => space.decode([0, 1, 2, 3, 4, 5]), field("tokens[5] (node3.from2)"));
  assert.throws(() => space.encode({ edges: ["none"] } as Nb201Genotype), field("edges"));
});

test("sampling is uniform over the strings and seeded; mutation changes exactly one edge's op", () => {
  const counts = new Map<string, number>();
  const rng = new Rng(3);
  for (let i = 0; i < 5000; i++) {
    const g = space.sample(rng);
    for (const op of g.edges) counts.set(op, (counts.get(op) ?? 0) + 1);
    const m = space.mutate(g, rng);
    assert.equal(m.edges.filter((op, k) => op !== g.edges[k]).length, 1);
  }
  for (const n of counts.values()) assert.ok(Math.abs(n / 30000 - 0.2) < 0.015, `op frequency ${n / 30000}`);
  assert.deepEqual(space.sample(new Rng(9)), space.sample(new Rng(9)));
});

test("the registry builds the space from plain options, filling in the paper's", () => {
  const built = spaceFromSpec({ kind: "nb201", options: { channels: 8 } }) as unknown as Nb201Space;
  assert.equal(built.name, "nb201");
  assert.deepEqual(built.network, { cellsPerStage: 5, channels: 8 });
  assert.throws(() => new Nb201Space({ cellsPerStage: 0 }), RangeError);
});

test("the drawing labels every edge, dashes none and fades what is not computed", () => {
  const svg = nb201Svg(parseNb201("|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|none~2|"));
  assert.ok(svg.startsWith("<svg") && svg.endsWith("</svg>"));
  for (const op of ["nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none"]) assert.ok(svg.includes(`>${op}</text>`), op);
  assert.equal(svg.match(/stroke-dasharray/g)?.length, 3, "three none edges");
  // Node 1 and 2 feed the output only through none: their edges (1<-0, 2<-1) are faded, and the none edges too.
  assert.equal(svg.match(/opacity="0.35"/g)?.length, 5);
});
