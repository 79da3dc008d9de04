/**
 * SMASH's memory-bank space (Brock et al. 2018, section 3.1; the genotype in genotypes.ts, the
 * network in network.ts, the HyperNet's encoding in encoding.ts). Its token grammar, so that
 * random sampling and mutation work as in every nasbook space: per block, the number of ops,
 * then for each of the block's `maxOps` op slots its read set and write set (each one of the
 * 2^banks - 1 non-empty subsets), its layer count, width factor, kernel, dilation and groups.
 * Slots past a block's op count are decoded to nothing and encoded as zeros, so depth varies
 * while the token list keeps one length. Sampling is uniform over tokens: every op count, bank
 * subset and setting equally likely.
 */
import type { Rng } from "../../core/random";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../../core/types";
import { checkTokens } from "../../core/validate";
import { OP_CHOICES, checkSpaceOptions, formatMemoryBank, validateMemoryBankGenotype, type BankOp, type MemoryBankGenotype, type MemoryBankSpaceOptions } from "./genotypes";
import { MemoryBankNetwork } from "./network";

/** Bank subset <-> token: the bit mask minus one (the empty set is not a choice). */
const subsetOf = (token: number, banks: number) => Array.from({ length: banks }, (_, m) => m).filter((m) => ((token + 1) >> m) & 1);
const tokenOf = (subset: readonly number[]) => subset.reduce((mask, m) => mask | (1 << m), 0) - 1;

export class MemoryBankSpace implements SearchSpace<MemoryBankGenotype> {
  readonly name = "smash-banks";

  constructor(readonly options: MemoryBankSpaceOptions) {
    checkSpaceOptions(options);
  }

  decisions(): Decision[] {
    const { blocks, banks, maxOps, maxLayers } = this.options;
    const out: Decision[] = [];
    for (let b = 0; b < blocks; b++) {
      out.push({ name: `blocks[${b}].ops.length`, choices: maxOps });
      for (let i = 0; i < maxOps; i++) {
        const op = `blocks[${b}].ops[${i}]`;
        out.push({ name: `${op}.reads`, choices: 2 ** banks - 1 }, { name: `${op}.writes`, choices: 2 ** banks - 1 }, { name: `${op}.layers`, choices: maxLayers });
        for (const [field, list] of OP_CHOICES) out.push({ name: `${op}.${field}`, choices: this.options[list].length });
      }
    }
    return out;
  }

  encode(value: MemoryBankGenotype): number[] {
    const genotype = this.validate(value);
    const perOp = 3 + OP_CHOICES.length;
    return genotype.blocks.flatMap((block) => [
      block.ops.length - 1,
      ...Array.from({ length: this.options.maxOps }, (_, i) => {
        const op = block.ops[i];
        if (!op) return Array<number>(perOp).fill(0);
        return [tokenOf(op.reads), tokenOf(op.writes), op.layers - 1, ...OP_CHOICES.map(([field, list]) => this.options[list].indexOf(op[field]))];
      }).flat(),
    ]);
  }

  decode(tokens: readonly number[]): MemoryBankGenotype {
    checkTokens(tokens, this.decisions());
    const { blocks, banks, maxOps } = this.options;
    let k = 0;
    const next = () => tokens[k++];
    return {
      blocks: Array.from({ length: blocks }, () => {
        const count = next() + 1;
        const ops: BankOp[] = [];
        for (let i = 0; i < maxOps; i++) {
          const reads = subsetOf(next(), banks);
          const writes = subsetOf(next(), banks);
          const layers = next() + 1;
          const [widthFactor, kernel, dilation, groups] = OP_CHOICES.map(([, list]) => this.options[list][next()]);
          if (i < count) ops.push({ reads, writes, widthFactor, layers, kernel, dilation, groups });
        }
        return { ops };
      }),
    };
  }

  sample(rng: Rng): MemoryBankGenotype {
    return this.decode(this.decisions().map((d) => rng.int(d.choices)));
  }

  /**
   * Changes one decision that matters (an op count, or a field of a present op) to another value;
   * a grown op count brings in the op of all-zero tokens (read and write bank 0, one layer, the first of every setting).
   */
  mutate(value: MemoryBankGenotype, rng: Rng): MemoryBankGenotype {
    const genotype = this.validate(value);
    const decisions = this.decisions();
    const tokens = this.encode(genotype);
    const live = decisions.map((d, k) => ({ d, k })).filter(({ d }) => d.choices > 1 && this.isLive(d.name, genotype));
    if (live.length === 0) return genotype;
    const { d, k } = live[rng.int(live.length)];
    tokens[k] = (tokens[k] + 1 + rng.int(d.choices - 1)) % d.choices;
    return this.decode(tokens);
  }

  /** An op count, or a field of an op the genotype has. */
  private isLive(name: string, genotype: MemoryBankGenotype): boolean {
    const slot = /^blocks\[(\d+)\]\.ops\[(\d+)\]/.exec(name);
    return !slot || Number(slot[2]) < genotype.blocks[Number(slot[1])].ops.length;
  }

  validate(value: unknown): MemoryBankGenotype {
    return validateMemoryBankGenotype(value, this.options);
  }

  describe(value: MemoryBankGenotype): string {
    return formatMemoryBank(this.validate(value));
  }

  build(value: MemoryBankGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    if ((options.widthMultiplier ?? 1) !== 1) throw new RangeError(`the memory-bank space has no width multiplier (its widths are the genotype's), got ${options.widthMultiplier}`);
    return new MemoryBankNetwork(this.validate(value), this.options, input, numClasses, rng);
  }
}
