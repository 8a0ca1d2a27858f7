/**
 * Logistic regression over sparse binary (one-hot) features, in plain TypeScript: the
 * "metadata + user id" baseline. Trained by SGD with AdaGrad step sizes and L2 regularization,
 * visiting examples in a seeded random order, so the same data and seed give the same model.
 *
 * L2 is applied lazily: each step shrinks only the weights of the features active in that
 * example (the usual sparse-SGD approximation of the penalty l2/2 * |w|^2). Calling `fit` again
 * continues from the current weights and AdaGrad state: that is the warm-phase update on new
 * data only.
 */
import { Random } from '../../store/demo/random.ts';
import { Vocabulary } from '../features/Vocabulary.ts';

export interface LogisticRegressionOptions {
  /** Passes over the data; default 5. */
  readonly epochs?: number;
  /** AdaGrad base step size; default 0.1. */
  readonly learningRate?: number;
  /** L2 strength; default 1e-5. */
  readonly l2?: number;
  /** Seeds the visiting order; default 42. */
  readonly seed?: number;
}

/** Feature names seen in training -> indices (1-based; names not seen in training are dropped). */
export function buildFeatureIndex(rows: Iterable<readonly string[]>, minCount = 1): Vocabulary {
  return Vocabulary.build(rows, { minCount });
}

/** The distinct known indices of a row's feature names, ascending. */
export function encodeFeatures(index: Vocabulary, features: readonly string[]): Int32Array {
  const known = new Set<number>();
  for (const feature of features) {
    const i = index.indexOf(feature);
    if (i !== 0) known.add(i);
  }
  return Int32Array.from(known).sort();
}

export class LogisticRegression {
  /** One weight per feature index (index 0, "unknown", stays 0). */
  readonly weights: Float64Array;
  bias = 0;
  readonly #squaredGradients: Float64Array;
  #biasSquaredGradient = 0;

  constructor(dimension: number) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    this.weights = new Float64Array(dimension);
    this.#squaredGradients = new Float64Array(dimension);
  }

  /** Trains (or keeps training) on rows of active feature indices with 0/1 labels. */
  fit(rows: readonly Int32Array[], labels: ArrayLike<number>, options: LogisticRegressionOptions = {}): this {
    if (rows.length !== labels.length) throw new RangeError(`fit: ${rows.length} rows but ${labels.length} labels`);
    const epochs = options.epochs ?? 5;
    const rate = options.learningRate ?? 0.1;
    const l2 = options.l2 ?? 1e-5;
    if (!(Number.isInteger(epochs) && epochs >= 0 && rate > 0 && l2 >= 0)) {
      throw new RangeError(`fit needs integer epochs >= 0, learningRate > 0 and l2 >= 0; got ${epochs}, ${rate}, ${l2}`);
    }
    const random = new Random(options.seed ?? 42);
    const order = Array.from(rows, (_, i) => i);
    const w = this.weights;
    const g2 = this.#squaredGradients;
    const eps = 1e-8;
    for (let epoch = 0; epoch < epochs; epoch++) {
      random.shuffle(order);
      for (const r of order) {
        const row = rows[r]!;
        const y = labels[r]!;
        const error = sigmoid(this.#logit(row)) - y;
        for (let k = 0; k < row.length; k++) {
          const i = row[k]!;
          const gradient = error + l2 * w[i]!;
          g2[i]! += gradient * gradient;
          w[i]! -= (rate * gradient) / (Math.sqrt(g2[i]!) + eps);
        }
        this.#biasSquaredGradient += error * error;
        this.bias -= (rate * error) / (Math.sqrt(this.#biasSquaredGradient) + eps);
      }
    }
    return this;
  }

  logit(row: Int32Array): number {
    return this.#logit(row);
  }

  /** The probability of label 1. */
  predict(row: Int32Array): number {
    return sigmoid(this.#logit(row));
  }

  predictAll(rows: readonly Int32Array[]): Float64Array {
    return Float64Array.from(rows, (row) => this.predict(row));
  }

  #logit(row: Int32Array): number {
    let z = this.bias;
    for (let k = 0; k < row.length; k++) {
      const i = row[k]!;
      if (i >= 0 && i < this.weights.length) z += this.weights[i]!;
    }
    return z;
  }
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
