/**
 * A minimal module system on raw tf ops, in the spirit of d2l's "from scratch" chapters:
 * a Module owns variables and children, and `apply` is a plain function of tensors. Search
 * spaces build networks from these, supernets share them, and optimisers get `variables()`.
 */
import * as tf from "@tensorflow/tfjs";

export abstract class Module {
  private readonly ownVariables: tf.Variable[] = [];
  private readonly children: Module[] = [];

  abstract apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;

  /** Registers a trainable (or, for running statistics, non-trainable) variable. */
  protected addVariable(initial: tf.Tensor, trainable = true): tf.Variable {
    const v = tf.variable(initial, trainable);
    initial.dispose();
    this.ownVariables.push(v);
    return v;
  }

  protected addChild<M extends Module>(child: M): M {
    this.children.push(child);
    return child;
  }

  /** Every variable of this module and its children, depth first. */
  variables(): tf.Variable[] {
    return [...this.ownVariables, ...this.children.flatMap((c) => c.variables())];
  }

  trainableVariables(): tf.Variable[] {
    return this.variables().filter((v) => v.trainable);
  }

  paramCount(): number {
    return this.trainableVariables().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Applies modules in order. */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(layers: Module[]) {
    super();
    this.layers = layers.map((l) => this.addChild(l));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.layers.reduce((h, layer) => layer.apply(h, training), x);
  }
}
