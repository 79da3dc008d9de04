import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { SCALES } from "../../lib/core/scale";
import { nasRlNotebookPreset } from "../../lib/experiment/presets/nas-rl";
import { nasRlSvg } from "../../lib/spaces/nasrl/draw";
import { concatPadded, danglingLayers } from "../../lib/spaces/nasrl/network";
import type { NasRlGenotype, NasRlLayer } from "../../lib/spaces/nasrl/genotypes";
import { NASRL_PAPER_SPACE, NasRlSpace } from "../../lib/spaces/nasrl/space";

before(async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
});

const paper = new NasRlSpace(NASRL_PAPER_SPACE);
const strided = new NasRlSpace({ ...NASRL_PAPER_SPACE, layers: 3, strides: [1, 2, 3] });

function layer(filterHeight: number, filterWidth: number, filters: number, inputs: number[], stride = 1): NasRlLayer {
  return { filterHeight, filterWidth, filters, stride, inputs };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof GenotypeError) return error.field;
    throw error;
  }
  assert.fail("expected a GenotypeError");
}

test("decisions: an anchor per earlier layer, then one token per multi-valued field", () => {
  const decisions = paper.decisions();
  // 6 layers x 3 fields (stride has one value, so no token) + 0+1+...+5 anchors.
  assert.equal(decisions.length, 6 * 3 + 15);
  assert.deepEqual(decisions.slice(3, 6).map((d) => d.name), ["layers[1].skip[0]", "layers[1].filterHeight", "layers[1].filterWidth"]);
  const anchors = decisions.filter((d) => d.kind === "anchor");
  assert.equal(anchors.length, 15);
  for (const a of anchors) assert.ok(a.from! < a.layer! && a.choices === 2);
  assert.ok(strided.decisions().some((d) => d.name === "layers[2].stride" && d.choices === 3));
  const labels = strided.choiceLabels();
  strided.decisions().forEach((d, k) => assert.equal(labels[k].length, d.choices));
  assert.deepEqual(labels.slice(0, 5), [["1", "3", "5", "7"], ["1", "3", "5", "7"], ["24", "36", "48", "64"], ["1", "2", "3"], ["no", "yes"]]);
});

test("encode and decode round-trip genotypes and tokens", () => {
  const rng = new Rng(3);
  for (const space of [paper, strided]) {
    const decisions = space.decisions();
    for (let n = 0; n < 50; n++) {
      const genotype = space.sample(rng);
      assert.deepEqual(space.decode(space.encode(genotype)), genotype);
      const tokens = decisions.map((d) => rng.int(d.choices));
      assert.deepEqual(space.encode(space.decode(tokens)), tokens);
    }
  }
  const genotype = paper.decode(paper.decisions().map((d) => (d.name === "layers[3].skip[1]" ? 1 : 0)));
  assert.deepEqual(genotype.layers.map((l) => l.inputs), [[], [], [], [1], [], []]);
  assert.equal(fieldOf(() => paper.decode([0, 1])), "tokens");
});

test("validate names the offending field", () => {
  const good = paper.sample(new Rng(1));
  assert.deepEqual(paper.validate(JSON.parse(JSON.stringify(good))), good);
  const broken = (edit: (g: NasRlGenotype) => void) => {
    const g = JSON.parse(JSON.stringify(good)) as NasRlGenotype;
    edit(g);
    return fieldOf(() => paper.validate(g));
  };
  assert.equal(broken((g) => (g.layers[2].filterHeight = 2)), "layers[2].filterHeight");
  assert.equal(broken((g) => (g.layers[4].filters = 65)), "layers[4].filters");
  assert.equal(broken((g) => (g.layers[1].stride = 2)), "layers[1].stride");
  assert.equal(broken((g) => (g.layers[2].inputs = [2])), "layers[2].inputs[0]");
  assert.equal(broken((g) => (g.layers[3].inputs = [1, 0])), "layers[3].inputs[1]");
  assert.equal(broken((g) => g.layers.pop()), "layers");
  assert.equal(fieldOf(() => paper.validate(null)), "genotype");
});

test("mutate changes exactly one decision", () => {
  const rng = new Rng(9);
  for (let n = 0; n < 30; n++) {
    const parent = paper.sample(rng);
    const child = paper.mutate(parent, rng);
    const a = paper.encode(parent);
    const b = paper.encode(child);
    assert.equal(a.filter((t, k) => t !== b[k]).length, 1);
  }
});

test("describe lists each layer's kernel, filters, stride and inputs", () => {
  const g: NasRlGenotype = { layers: [layer(3, 5, 36, []), layer(7, 7, 24, [0]), layer(1, 3, 48, [0, 1], 2)] };
  assert.equal(strided.describe(g), "0:3x5x36 | 1:7x7x24<0 | 2:1x3x48/s2<0,1");
});

test("the drawing has a box per layer and an edge per input, image read and dangling output", () => {
  const g: NasRlGenotype = { layers: [layer(3, 5, 36, []), layer(7, 7, 24, [0]), layer(1, 3, 48, [])] };
  const svg = nasRlSvg(g, "a <title>");
  assert.match(svg, /^<svg [^>]*>.*<\/svg>$/s);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3 + 2);
  // Edges: image->0, 0->1, image->2, and layers 1 and 2 into the classifier.
  assert.equal((svg.match(/<path d="M [^"]*" fill="none"/g) ?? []).length, 5);
  assert.match(svg, /<title>a &lt;title&gt;<\/title>/);
});

test("concatPadded centres smaller maps in zeros and stacks depth", () => {
  const big = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
  const small = tf.fill([1, 2, 3, 1], 5) as tf.Tensor4D;
  const out = concatPadded([big, small]);
  assert.deepEqual(out.shape, [1, 4, 4, 3]);
  const plane = tf.squeeze(tf.slice(out, [0, 0, 0, 2], [1, 4, 4, 1])).arraySync() as number[][];
  // 2 rows pad to 4 as 1 above + 1 below; 3 columns pad to 4 as 0 left + 1 right.
  assert.deepEqual(plane, [
    [0, 0, 0, 0],
    [5, 5, 5, 0],
    [5, 5, 5, 0],
    [0, 0, 0, 0],
  ]);
  tf.dispose([big, small, out]);
});

test("build: skips concatenate, strided maps are padded, dangling layers feed the classifier", () => {
  // Layer 0 halves the 8x8 image; layer 1 reads the image again; layer 2 reads both (4x4 padded to 8x8).
  const g: NasRlGenotype = { layers: [layer(3, 3, 24, [], 2), layer(1, 5, 36, []), layer(7, 1, 48, [0, 1])] };
  assert.deepEqual(danglingLayers(g), [2]);
  const before = tf.memory().numTensors;
  const network = strided.build(g, [8, 8, 1], 10, new Rng(0));
  const logits = tf.tidy(() => network.apply(tf.randomNormal([2, 8, 8, 1], 0, 1, "float32", 1) as tf.Tensor4D, true));
  assert.deepEqual(logits.shape, [2, 10]);
  const conv = (kh: number, kw: number, cin: number, cout: number) => kh * kw * cin * cout + 2 * cout;
  assert.equal(network.paramCount(), conv(3, 3, 1, 24) + conv(1, 5, 1, 36) + conv(7, 1, 60, 48) + 48 * 10 + 10);
  const macs = 16 * (9 * 24 + 2 * 24) + 64 * (5 * 36 + 2 * 36) + 64 * (7 * 60 * 48 + 2 * 48) + 48 * 10;
  assert.equal(network.macs(), macs);
  logits.dispose();
  network.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("build: a layer without inputs reads the image, and every unread layer reaches the classifier", () => {
  const g: NasRlGenotype = { layers: [layer(3, 3, 24, []), layer(5, 5, 36, []), layer(1, 1, 48, [0])] };
  assert.deepEqual(danglingLayers(g), [1, 2]);
  const network = strided.build(g, [6, 6, 3], 4, new Rng(0), { widthMultiplier: 0.5 });
  const logits = tf.tidy(() => network.apply(tf.ones([3, 6, 6, 3]) as tf.Tensor4D, false));
  assert.deepEqual(logits.shape, [3, 4]);
  // Half width: 12, 18, 24 filters; the classifier sees layers 1 and 2 (18 + 24 channels).
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + 2 * cout;
  assert.equal(network.paramCount(), conv(3, 3, 12) + conv(5, 3, 18) + conv(1, 12, 24) + 42 * 4 + 4);
  logits.dispose();
  network.dispose();
});

test("inputPool shrinks the image before the first layers read it", () => {
  const pooled = new NasRlSpace({ ...NASRL_PAPER_SPACE, layers: 1, inputPool: 2 });
  const network = pooled.build({ layers: [layer(3, 3, 24, [])] }, [8, 8, 1], 10, new Rng(0));
  // The conv runs on 4x4 instead of 8x8.
  assert.equal(network.macs(), 16 * (9 * 24 + 2 * 24) + 24 * 10);
  network.dispose();
  assert.throws(() => new NasRlSpace({ ...NASRL_PAPER_SPACE, inputPool: 0 }), /inputPool >= 1/);
});

test("every scale's preset is consistent: top-k fits the budget, which is whole controller batches", () => {
  for (const scale of SCALES) {
    const preset = nasRlNotebookPreset(scale);
    assert.doesNotThrow(() => new NasRlSpace(preset.space), scale);
    assert.ok(Math.max(...preset.topK) <= preset.budget && preset.budget % preset.round === 0, scale);
    assert.ok(preset.seeds.length >= 3, `${scale}: at least 3 seeds`);
  }
  assert.deepEqual(nasRlNotebookPreset("paper").space, NASRL_PAPER_SPACE);
});
