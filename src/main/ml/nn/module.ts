// Named parameters: every layer registers its tf.variables under HF-like dotted names
// (`decoder.lstm.0.weight`), so a model can list, save and load them by name.
import * as tf from '@tensorflow/tfjs';

let instances = 0;

/**
 * The parameters of one model instance, by dotted name, plus a seeded initialiser.
 * tfjs variable names are global to the engine, so each store tags its variables with an instance
 * number (`m3/decoder.lstm.0.weight`) and two models of the same kind can live side by side.
 */
export class ParamStore {
  readonly #params = new Map<string, tf.Variable>();
  readonly #tag = `m${++instances}`;
  #seed: number;

  constructor(seed = 1) {
    this.#seed = seed;
  }

  /** The next seed for a random initialiser, so a model built twice with one seed is identical. */
  nextSeed(): number {
    return this.#seed++;
  }

  /** Registers a trainable variable initialised from `init` (which the store takes over and disposes). */
  add(name: string, init: tf.Tensor): tf.Variable {
    if (this.#params.has(name)) {
      init.dispose();
      throw new Error(`Parameter "${name}" is registered twice: give each layer its own name.`);
    }
    const v = tf.variable(init, true, `${this.#tag}/${name}`);
    init.dispose();
    this.#params.set(name, v);
    return v;
  }

  /** Normal(0, std) initialised weight, seeded. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    return this.add(name, tf.randomNormal(shape, 0, std, 'float32', this.nextSeed()));
  }

  /** Glorot/Xavier uniform U(±√(6/(fanIn+fanOut))), the Keras and PyTorch Linear-ish default. */
  glorot(name: string, shape: number[], fanIn: number, fanOut: number): tf.Variable {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return this.add(name, tf.randomUniform(shape, -lim, lim, 'float32', this.nextSeed()));
  }

  filled(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, tf.fill(shape, value));
  }

  get(name: string): tf.Variable {
    const v = this.#params.get(name);
    if (!v) throw new Error(`No parameter "${name}".`);
    return v;
  }

  /** Parameters in registration order. */
  entries(): [string, tf.Variable][] {
    return [...this.#params.entries()];
  }

  variables(): tf.Variable[] {
    return [...this.#params.values()];
  }

  /** Number of scalar weights. */
  count(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  /**
   * Assigns values by name. Every parameter must be present with the same shape; names the model
   * does not have are an error too (a checkpoint of another config), each listed by name.
   */
  load(values: ReadonlyMap<string, { shape: number[]; data: Float32Array }>): void {
    const missing = [...this.#params.keys()].filter((k) => !values.has(k));
    const unexpected = [...values.keys()].filter((k) => !this.#params.has(k));
    const wrong = [...this.#params.entries()]
      .filter(([k, v]) => values.has(k) && values.get(k)!.shape.join(',') !== v.shape.join(','))
      .map(([k, v]) => `${k} (model [${v.shape}], file [${values.get(k)!.shape}])`);
    const problems = [
      missing.length ? `missing: ${missing.join(', ')}` : '',
      unexpected.length ? `not in this model: ${unexpected.join(', ')}` : '',
      wrong.length ? `wrong shape: ${wrong.join(', ')}` : '',
    ].filter(Boolean);
    if (problems.length)
      throw new Error(
        `The weights do not fit this model (${problems.join('; ')}). Load them with the config they were saved with.`,
      );
    for (const [k, v] of this.#params) {
      const t = tf.tensor(values.get(k)!.data, v.shape);
      v.assign(t);
      t.dispose();
    }
  }

  /** Current values by name (read back from the device). */
  async read(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, v] of this.#params) out.set(k, { shape: v.shape, data: (await v.data()) as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.#params.values()) v.dispose();
    this.#params.clear();
  }
}
