/**
 * NAO's search (Luo et al. 2018, Algorithm 1) as an ask/tell strategy. The first `initial`
 * candidates are random. Then, each round:
 *   1. train the encoder, predictor and decoder on every (architecture, accuracy) told so far
 *      (the model carries over from round to round, as in NAO's code);
 *   2. take the `topK` best architectures, move each embedding h <- h + lambda * df/dh and
 *      decode, for lambda = lambda_0, lambda_0 * growth, ... until `perRound` decoded
 *      architectures are valid for the space and new (never proposed before);
 *   3. propose them; their accuracies come back through tell.
 * A decoded sequence the space's own `decode`/`validate` rejects is counted and dropped (the
 * decoder already keeps every token in its position's range). If the largest lambda still leaves
 * the round short, random new architectures fill it, counted too, so the search never stalls.
 * Everything is seeded and the model is trained only on what was told, so the same seed and the
 * same tells give the same proposals: a run resumes by replaying its stored trials.
 */
import { NasbookError } from "../../core/errors";
import { Rng } from "../../core/random";
import type { Candidate, Json, Outcome, SearchSpace, Strategy } from "../../core/types";
import { moveAlongPredictor } from "./gradient-move";
import { NaoModel, type EpochLoss, type NaoModelOptions } from "./model";

export interface NaoSearchOptions {
  /** The encoder, predictor and decoder (paper sizes unless narrowed). */
  readonly model: NaoModelOptions;
  /** Random architectures before the first round. */
  readonly initial: number;
  /** New architectures proposed per round. */
  readonly perRound: number;
  /** How many of the best architectures so far are moved each round. */
  readonly topK: number;
  /** Training passes over all pairs at the start of each round. */
  readonly epochs: number;
  readonly batchSize: number;
  /** The first step size, and the factor that raises it while the round is short. */
  readonly lambda: number;
  readonly lambdaGrowth: number;
  /** Step sizes tried at most per round. */
  readonly lambdaSteps: number;
}

/** What one round did: how the model fit, and where its proposals came from. */
export interface NaoRound {
  /** Architectures with an accuracy the model was trained on. */
  readonly trainedOn: number;
  /** The last training epoch's loss. */
  readonly loss: EpochLoss;
  /** The step sizes tried, smallest first. */
  readonly lambdas: number[];
  /** Decoded sequences judged (up to topK per lambda tried; the round stops once full). */
  readonly decoded: number;
  /** Decoded sequences the space rejected. */
  readonly invalid: number;
  /** Valid decoded architectures proposed before (or twice in this round). */
  readonly repeated: number;
  /** New architectures from the decoder, and random ones that filled the rest of the round. */
  readonly fromDecoder: number;
  readonly randomFill: number;
}

/** Random draws at most while looking for an architecture not proposed before. */
const UNSEEN_TRIES = 1000;

export class NaoSearch<G extends Json> implements Strategy<G> {
  readonly name = "nao";
  readonly model: NaoModel;
  /** Every round so far, oldest first. */
  readonly rounds: NaoRound[] = [];
  private readonly rng: Rng;
  private readonly trainRng: Rng;
  /** Token keys of everything proposed. */
  private readonly seen = new Set<string>();
  /** Told and succeeded: what the model learns from. */
  private readonly observed: Array<{ tokens: number[]; accuracy: number }> = [];
  private readonly queue: G[] = [];
  private nextId = 0;

  constructor(
    private readonly space: SearchSpace<G>,
    readonly options: NaoSearchOptions,
    seed: number,
  ) {
    for (const key of ["initial", "perRound", "topK", "epochs", "batchSize", "lambdaSteps"] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`NaoSearch ${key} must be a positive integer, got ${options[key]}`);
    }
    if (!(options.lambda > 0) || !(options.lambdaGrowth > 1)) {
      throw new RangeError(`NaoSearch needs lambda > 0 and lambdaGrowth > 1, got ${options.lambda} and ${options.lambdaGrowth}`);
    }
    this.rng = new Rng(seed);
    this.model = new NaoModel(space.decisions(), options.model, this.rng.fork());
    this.trainRng = this.rng.fork();
  }

  ask(): Candidate<G> {
    if (this.queue.length === 0) {
      if (this.nextId < this.options.initial || this.observed.length === 0) this.queue.push(this.randomUnseen());
      else this.queue.push(...this.round());
    }
    return { id: this.nextId++, genotype: this.queue.shift() as G };
  }

  /** A failed candidate teaches the model nothing (it has no accuracy) but stays proposed. */
  tell(candidate: Candidate<G>, outcome: Outcome): void {
    if (outcome.status !== "ok" || !outcome.metrics) return;
    this.observed.push({ tokens: this.space.encode(candidate.genotype), accuracy: outcome.metrics.validAccuracy });
  }

  private round(): G[] {
    const { epochs, batchSize, topK, perRound } = this.options;
    const history = this.model.train(this.observed.map((o) => o.tokens), this.observed.map((o) => o.accuracy), epochs, batchSize, this.trainRng);
    const top = [...this.observed].sort((a, b) => b.accuracy - a.accuracy).slice(0, topK).map((o) => o.tokens);
    const proposals: G[] = [];
    const counts = { decoded: 0, invalid: 0, repeated: 0 };
    const lambdas: number[] = [];
    for (let step = 0; step < this.options.lambdaSteps && proposals.length < perRound; step++) {
      const lambda = this.options.lambda * this.options.lambdaGrowth ** step;
      lambdas.push(lambda);
      const { moves } = moveAlongPredictor(this.model, top, [lambda]);
      for (const [moved] of moves) {
        if (proposals.length === perRound) break;
        counts.decoded++;
        const genotype = this.validDecoding(moved.tokens);
        if (genotype === null) counts.invalid++;
        else if (this.propose(genotype)) proposals.push(genotype);
        else counts.repeated++;
      }
    }
    const fromDecoder = proposals.length;
    while (proposals.length < perRound) proposals.push(this.randomUnseen());
    this.rounds.push({ trainedOn: this.observed.length, loss: history[history.length - 1], lambdas, ...counts, fromDecoder, randomFill: perRound - fromDecoder });
    return proposals;
  }

  /** The space's judgement of a decoded sequence: its genotype, or null when it rejects it. */
  private validDecoding(tokens: number[]): G | null {
    try {
      return this.space.validate(this.space.decode(tokens));
    } catch (error) {
      if (error instanceof NasbookError) return null;
      throw error;
    }
  }

  /** Marks `genotype` proposed; false when it was already. */
  private propose(genotype: G): boolean {
    const key = this.space.encode(genotype).join(",");
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** A random architecture not proposed before (in a space this search has exhausted, a repeat). */
  private randomUnseen(): G {
    let genotype = this.space.sample(this.rng);
    for (let tries = 1; tries < UNSEEN_TRIES && !this.propose(genotype); tries++) genotype = this.space.sample(this.rng);
    return genotype;
  }

  dispose(): void {
    this.model.dispose();
  }
}
