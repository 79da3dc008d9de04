/** A gradient check for tests: every variable gets a gradient, and its largest entry agrees with central differences. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

export function assertGradientsMatchFiniteDifferences(loss: () => tf.Scalar, variables: readonly tf.Variable[], epsilon = 2e-3, tolerance = 0.05): void {
  const { grads, value } = tf.variableGrads(loss, [...variables]);
  value.dispose();
  for (const v of variables) {
    const g = Array.from(grads[v.name].dataSync());
    assert.ok(g.some((e) => e !== 0), `${v.name} [${v.shape}] gets no gradient`);
    // The entry with the largest gradient, nudged both ways.
    const i = g.reduce((best, e, j) => (Math.abs(e) > Math.abs(g[best]) ? j : best), 0);
    const values = v.dataSync().slice();
    const at = (delta: number) => {
      const nudged = values.slice();
      nudged[i] += delta;
      tf.tidy(() => v.assign(tf.tensor(nudged, v.shape)));
      return tf.tidy(() => loss().dataSync()[0]);
    };
    const numeric = (at(epsilon) - at(-epsilon)) / (2 * epsilon);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
    assert.ok(Math.abs(numeric - g[i]) <= tolerance * Math.abs(g[i]) + 1e-4, `${v.name}[${i}]: analytic ${g[i]}, numeric ${numeric}`);
  }
  tf.dispose(Object.values(grads));
}
