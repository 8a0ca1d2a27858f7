/**
 * The variant registry of the cold-start evaluation (issue: variants a-e). Every neural variant
 * is the same SynthModel and training loop with pieces switched off, so differences come from
 * the pieces, not from different code:
 *
 * - a  `a-ids-aggregates`: no non-event data at all (encoders with no fields: the companions
 *      see a constant input and can only learn one bias vector), no ID dropout.
 * - b  `b-raw-metadata`: raw metadata concatenated into the primary input without a companion
 *      network: the companion is reduced to its input encoding (categorical / token / tag
 *      embeddings, numeric values) followed by ONE linear layer (mlp hiddenSizes []), combined
 *      by `concat`; no ID dropout, no synthetic-feature regularization, fixed learning rate,
 *      no dynamic size. (The on-demand user x item interaction group of SynthModel stays: it
 *      is part of the model's forward pass and cannot be switched off without editing it.)
 * - c  `c-dropoutnet`: b + DropoutNet-style ID dropout (original-feature dropout).
 * - e  `e-logistic-regression` (AUC protocols): logistic regression on one-hot metadata + user
 *      id; `e-content-knn` (ranking protocol): TF-IDF title similarity to the user's library.
 * - d  `d-<architecture>-<mode>`: synthstore with the companion network (MLP or transformer),
 *      each combination mode, L1 + L2 on the synthetic features, adaptive learning rate,
 *      dynamic companion size and ID dropout; ablations of `d-mlp-attention` switch one of
 *      them off.
 */
import type { ModelConfigInput } from '../model/ModelConfig.ts';
import type { TrainConfigInput } from '../train/TrainConfig.ts';

export type VariantFamily = 'baseline' | 'synthstore';
export type VariantKind = 'neural' | 'logistic-regression' | 'content-knn';

export interface Variant {
  readonly name: string;
  readonly family: VariantFamily;
  readonly kind: VariantKind;
  readonly description: string;
  /** Neural variants: whether the companions see non-event data (false for a). */
  readonly metadata?: boolean;
  /** Neural variants: original-feature (ID) dropout while training. */
  readonly idDropout?: boolean;
  /** Neural variants: model config (the seed is set per run). */
  readonly model?: ModelConfigInput;
  /** Neural variants: training switches (epochs, batch size, dropout rates are set per run). */
  readonly train?: TrainConfigInput;
  /** In the --quick preset. */
  readonly quick?: boolean;
  /** Protocol kinds the variant applies to; default both. */
  readonly protocols?: readonly ('auc' | 'ranking')[];
}

/** L1 / L2 strengths on the synthetic features of the synthstore variants. */
export const SYNTH_REGULARIZATION = { l1: 1e-3, l2: 1e-3 } as const;

const FIXED_TRAINING: TrainConfigInput = {
  adaptiveLearningRate: { enabled: false },
  growth: { enabled: false },
};

const RAW_MODEL: ModelConfigInput = {
  companion: { architecture: 'mlp', mlp: { hiddenSizes: [] } },
  combine: { mode: 'concat' },
  regularization: { l1: 0, l2: 0 },
};

function synthstore(architecture: 'mlp' | 'transformer', mode: 'weighted_sum' | 'concat' | 'attention'): Variant {
  return {
    name: `d-${architecture}-${mode}`,
    family: 'synthstore',
    kind: 'neural',
    description: `synthstore: ${architecture} companion, ${mode} combination, L1+L2, adaptive LR, dynamic size, ID dropout`,
    metadata: true,
    idDropout: true,
    model: {
      companion: { architecture, mlp: { hiddenSizes: [64, 64] }, transformer: { layers: 1, width: 32, heads: 4, ffWidth: 64 } },
      combine: { mode },
      regularization: { ...SYNTH_REGULARIZATION },
    },
    train: {},
    quick: architecture === 'mlp' && mode === 'attention',
  };
}

function ablation(name: string, description: string, change: (variant: Variant) => Variant): Variant {
  const base = synthstore('mlp', 'attention');
  return { ...change(base), name: `d-mlp-attention-${name}`, description: `${base.description}; ablation: ${description}`, quick: false };
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'a-ids-aggregates',
    family: 'baseline',
    kind: 'neural',
    description: 'primary network on ID embeddings + point-in-time aggregates only',
    metadata: false,
    idDropout: false,
    model: { ...RAW_MODEL },
    train: FIXED_TRAINING,
    quick: true,
  },
  {
    name: 'b-raw-metadata',
    family: 'baseline',
    kind: 'neural',
    description: 'a + raw metadata concatenated (linear input encoding, no companion network)',
    metadata: true,
    idDropout: false,
    model: { ...RAW_MODEL },
    train: FIXED_TRAINING,
    quick: true,
  },
  {
    name: 'c-dropoutnet',
    family: 'baseline',
    kind: 'neural',
    description: 'b + DropoutNet-style ID dropout',
    metadata: true,
    idDropout: true,
    model: { ...RAW_MODEL },
    train: FIXED_TRAINING,
    quick: true,
  },
  {
    name: 'e-logistic-regression',
    family: 'baseline',
    kind: 'logistic-regression',
    description: 'logistic regression on one-hot metadata + user id',
    quick: true,
    protocols: ['auc'],
  },
  {
    name: 'e-content-knn',
    family: 'baseline',
    kind: 'content-knn',
    description: "content kNN: TF-IDF title similarity to the user's library (centroid)",
    quick: true,
    protocols: ['ranking'],
  },
  synthstore('mlp', 'weighted_sum'),
  synthstore('mlp', 'concat'),
  synthstore('mlp', 'attention'),
  synthstore('transformer', 'weighted_sum'),
  synthstore('transformer', 'concat'),
  synthstore('transformer', 'attention'),
  {
    ...synthstore('mlp', 'concat'),
    name: 'd-mlp-concat-regularized',
    description: 'synthstore: a smaller, more regularized MLP companion (hidden [32], companion dropout 0.3, L1 1e-3, L2 1e-2), concat; for data sets with few training items',
    model: {
      companion: { architecture: 'mlp', mlp: { hiddenSizes: [32], dropout: 0.3 } },
      combine: { mode: 'concat' },
      regularization: { l1: 1e-3, l2: 1e-2 },
    },
    quick: false,
  },
  {
    ...synthstore('mlp', 'concat'),
    name: 'd-mlp-concat-idx',
    description: 'synthstore: mlp companion, concat, with ID x synthetic interactions (combine.idInteraction)',
    model: { ...synthstore('mlp', 'concat').model, combine: { mode: 'concat', idInteraction: true } },
    quick: false,
  },
  ablation('no-l1l2', 'no L1/L2 on synthetic features', (v) => ({ ...v, model: { ...v.model, regularization: { l1: 0, l2: 0 } } })),
  ablation('no-adaptive-lr', 'fixed learning rate', (v) => ({ ...v, train: { ...v.train, adaptiveLearningRate: { enabled: false } } })),
  ablation('no-dynamic-size', 'no widening / pruning', (v) => ({ ...v, train: { ...v.train, growth: { enabled: false } } })),
  ablation('no-retrieval', 'no retrieval head loss (retrieval.weight 0)', (v) => ({ ...v, model: { ...v.model, retrieval: { weight: 0 } } })),
];

/**
 * The variants to run: `names` (comma-separated list, or undefined = all / the quick preset),
 * restricted to the protocol kind. Unknown names are errors that list the known ones.
 */
export function selectVariants(names: readonly string[] | undefined, protocol: 'auc' | 'ranking', quick: boolean): Variant[] {
  const applicable = VARIANTS.filter((variant) => (variant.protocols ?? ['auc', 'ranking']).includes(protocol));
  if (!names || names.length === 0) return applicable.filter((variant) => !quick || variant.quick);
  const known = new Map(VARIANTS.map((variant) => [variant.name, variant]));
  const chosen: Variant[] = [];
  for (const name of names) {
    // Short forms: "a", "b", "c", "e", "d" (every synthstore variant), or a name prefix.
    const exact = known.get(name);
    const matches = exact ? [exact] : VARIANTS.filter((variant) => variant.name.startsWith(`${name}-`));
    if (matches.length === 0) {
      throw new RangeError(`unknown variant "${name}": expected one of ${VARIANTS.map((variant) => variant.name).join(', ')} (or a prefix such as a, d, d-mlp)`);
    }
    for (const match of matches) if (applicable.includes(match) && !chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}
