// Adam / AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019) with per-parameter step counts, global
// gradient-norm clipping, and state that can be read out and restored exactly (for resume). Ours,
// not tf.train.adam: its learning rate is fixed at construction and its slots are not addressable by
// our parameter names.
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  kind: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The optimiser a trainer config names (its `optimizer`, betas, eps and weight decay). */
export const adamFor = (cfg: {
  optimizer: AdamOptions['kind'];
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}): Adam =>
  new Adam({
    kind: cfg.optimizer,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
  });

export interface AdamState {
  m: Map<string, { shape: number[]; data: Float32Array }>;
  v: Map<string, { shape: number[]; data: Float32Array }>;
  steps: Record<string, number>;
}

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly steps = new Map<string, number>();
  constructor(readonly opts: AdamOptions) {}

  /**
   * Clips the gradients to a global norm (0 = off) and applies one update at `lr` (one rate, or one per
   * parameter name); returns the norm before clipping.
   */
  async apply(
    params: ReadonlyArray<[string, tf.Variable]>,
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number | ((name: string) => number),
    clipNorm: number,
  ): Promise<number> {
    const lrOf = typeof lr === 'number' ? () => lr : lr;
    const normT = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
    const norm = (await normT.data())[0];
    normT.dispose();
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, kind } = this.opts;
    for (const [name, w] of params) {
      const g0 = grads.get(name);
      if (!g0) continue;
      if (!this.m.has(name)) {
        this.m.set(name, zeros(w));
        this.v.set(name, zeros(w));
        this.steps.set(name, 0);
      }
      const rate = lrOf(name);
      const t = this.steps.get(name)! + 1;
      this.steps.set(name, t);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        let g = scale === 1 ? g0 : tf.mul(g0, scale);
        if (kind === 'adam' && wd > 0) g = tf.add(g, tf.mul(w, wd)); // L2 through the gradient
        const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(m2);
        v.assign(v2);
        // torch's form: w −= lr·m̂/(√v̂ + eps) with eps added after the bias correction of v
        const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(1 - b2 ** t)), eps);
        let next = tf.sub(w, tf.mul(tf.div(m2, denom), rate / (1 - b1 ** t)));
        if (kind === 'adamw' && wd > 0) next = tf.sub(next, tf.mul(w, rate * wd)); // decoupled decay
        w.assign(next);
      });
    }
    return norm;
  }

  async state(): Promise<AdamState> {
    const read = async (vars: Map<string, tf.Variable>) => {
      const out = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [k, t] of vars) out.set(k, { shape: t.shape, data: (await t.data()) as Float32Array });
      return out;
    };
    return { m: await read(this.m), v: await read(this.v), steps: Object.fromEntries(this.steps) };
  }

  load(state: AdamState): void {
    this.dispose();
    for (const [k, s] of state.m) this.m.set(k, fromData(s));
    for (const [k, s] of state.v) this.v.set(k, fromData(s));
    for (const [k, n] of Object.entries(state.steps)) this.steps.set(k, n);
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
    this.steps.clear();
  }
}

/** tf.variable keeps its own copy: the initial tensor is disposed here. */
function fromTensor(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}
const zeros = (w: tf.Tensor) => fromTensor(tf.zerosLike(w));
const fromData = (s: { shape: number[]; data: Float32Array }) => fromTensor(tf.tensor(s.data, s.shape));
