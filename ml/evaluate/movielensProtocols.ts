/**
 * ML-100K protocol A (item cold start with warm phases a/b/c) and its user cold-start variant,
 * as PreparedProtocols (see ml/data/splits/movielensProtocolA.ts for the split itself).
 *
 * Held-out data, all from the TRAINING side of the split, never from test rows:
 * - a seeded `warmTestShare` of the training events (hot items' events; kept users' events for
 *   user-cold) is the WARM test: `warm_auc` is the AUC on it. It is out of training, out of
 *   validation and out of every aggregate history.
 * - a seeded `validationShare` is the validation set (early stopping, growth). Its cold half
 *   (settings.validation): the same rows with the cold side replaced by its cold alias (same
 *   content, no ID, no history), or ('entities') every event of a seeded share of the cold
 *   side's training entities, held out entirely. Model selection sees cold rows without
 *   touching test data; `validation_cold_auc` reports the AUC on that cold half.
 * - the rest ("fit") is what the model trains on; aggregates are point-in-time over fit (+ the
 *   warm phases revealed so far).
 * Stages (item-cold): cold_auc after training on fit; then for each phase, the model is
 * UPDATED ON THAT PHASE'S ROWS ONLY (it keeps training, `updateEpochs` epochs, on the 10 events
 * per cold item of the phase; the ID vocabulary now knows the cold items, their ID embeddings
 * start learning), and the same test rows are scored again with history = fit + phases so far.
 * logloss and ndcg10 are measured at the cold stage; ndcg10 = per-user NDCG@10 of the user's
 * test rows ranked by score (relevance = label), averaged over users with a positive row.
 */
import { Random } from '../../store/demo/random.ts';
import type { StoredEvent } from '../../store/sql/readEvents.ts';
import type { ExampleSet } from '../data/ExampleBuilder.ts';
import { splitProtocolA, splitProtocolAUserCold, type ProtocolAOptions } from '../data/splits/movielensProtocolA.ts';
import { rocAuc } from '../metrics/auc.ts';
import { logLoss } from '../metrics/logloss.ts';
import type { EntityType } from '../model/schemas.ts';
import { asCold, FeaturePipeline } from '../pipeline/FeaturePipeline.ts';
import { LogisticBaseline } from './logisticBaseline.ts';
import { perUserNdcg } from './perUserNdcg.ts';
import { emptyMetrics, finiteOrNull, type PreparedProtocol } from './Protocol.ts';
import type { SeedMetrics } from './report.ts';
import type { EvaluationSettings } from './settings.ts';
import type { StoreData } from '../store/loadStoreData.ts';
import { declaredFields } from './declaredFields.ts';
import { predict, type Progress, trainNeuralVariant, updateOnPhase } from './trainNeural.ts';
import type { Variant } from './variants.ts';

export interface MovieLensProtocolOptions {
  /** An event is positive when value >= this; default 4 (protocol A's rating >= 4). */
  readonly positiveThreshold?: number;
  /** Hot / cold thresholds of protocol A (defaults 100 / 30, 10 events per phase). */
  readonly protocolA?: ProtocolAOptions;
  /** Seed of the splits (user-cold hold-out, validation / warm-test hold-out); default 42. */
  readonly splitSeed?: number;
  /** Fields never used as content: high-cardinality identifiers. Default user zip, item imdb_url. */
  readonly excludeUserFields?: readonly string[];
  readonly excludeItemFields?: readonly string[];
}

interface Parts {
  readonly fit: StoredEvent[];
  readonly validation: StoredEvent[];
  /** Events of the cold side's held-out validation entities (settings.validation 'entities'). */
  readonly validationEntities: StoredEvent[];
  readonly warmTest: StoredEvent[];
}

/** Seeded hold-out of the training events into fit / validation / warm test. */
function holdOut(train: readonly StoredEvent[], settings: EvaluationSettings, seed: number, coldSide: EntityType): Parts {
  const random = new Random(seed).derive('holdout');
  const parts: Parts = { fit: [], validation: [], validationEntities: [], warmTest: [] };
  const sideOf = (event: StoredEvent): string => (coldSide === 'item' ? event.itemId : event.userId);
  const heldOut = new Set<string>();
  if (settings.validation === 'entities') {
    const entities = [...new Set(train.map(sideOf))].sort();
    const shuffled = new Random(seed).derive('validation-entities').shuffle(entities);
    for (const id of shuffled.slice(0, Math.max(1, Math.round(settings.validationShare * entities.length)))) heldOut.add(id);
  }
  for (const event of train) {
    if (heldOut.has(sideOf(event))) {
      parts.validationEntities.push(event);
      continue;
    }
    const r = random.next();
    if (r < settings.warmTestShare) parts.warmTest.push(event);
    else if (r < settings.warmTestShare + settings.validationShare) parts.validation.push(event);
    else parts.fit.push(event);
  }
  return parts;
}

interface Stage {
  readonly key: 'cold_auc' | 'warm_a_auc' | 'warm_b_auc' | 'warm_c_auc';
  /** Rows to update on before scoring (none for the cold stage). */
  readonly update?: ExampleSet;
  readonly test: ExampleSet;
}

export function prepareMovieLensProtocol(
  name: 'item-cold' | 'user-cold',
  data: StoreData,
  settings: EvaluationSettings,
  progress: Progress,
  options: MovieLensProtocolOptions = {},
): PreparedProtocol {
  const positiveThreshold = options.positiveThreshold ?? 4;
  const splitSeed = options.splitSeed ?? 42;
  const label = (event: { value: number }): number => (event.value >= positiveThreshold ? 1 : 0);
  const coldSide: EntityType = name === 'item-cold' ? 'item' : 'user';
  const excludeUserFields = declaredFields(data.fields, 'user', options.excludeUserFields ?? ['zip']);
  const excludeItemFields = declaredFields(data.fields, 'item', options.excludeItemFields ?? ['imdb_url']);

  let trainEvents: StoredEvent[];
  let testEvents: StoredEvent[];
  let warmPhases: StoredEvent[][] = [];
  let split: Record<string, number>;
  if (name === 'item-cold') {
    const a = splitProtocolA(data.events, options.protocolA);
    trainEvents = a.train;
    testEvents = a.test;
    warmPhases = a.warm;
    split = {
      hot_items: a.hotItems.length,
      cold_items: a.coldItems.length,
      excluded_items: a.excludedItems.length,
      train_events: a.train.length,
      warm_a: a.warm[0]?.length ?? 0,
      warm_b: a.warm[1]?.length ?? 0,
      warm_c: a.warm[2]?.length ?? 0,
      test: a.test.length,
      excluded_events: a.excluded.length,
    };
  } else {
    const u = splitProtocolAUserCold(data.events, { seed: splitSeed, coldShare: 0.2 });
    trainEvents = u.train;
    testEvents = u.test;
    split = { train_users: u.trainUsers.length, cold_users: u.coldUsers.length, train_events: u.train.length, test: u.test.length, excluded_events: u.excluded.length };
  }
  const parts = holdOut(trainEvents, settings, splitSeed, coldSide);
  split = { ...split, fit: parts.fit.length, validation: parts.validation.length, validation_entity_events: parts.validationEntities.length, warm_test: parts.warmTest.length };
  if (parts.fit.length === 0 || testEvents.length === 0) {
    throw new RangeError(`${name}: the split left ${parts.fit.length} training and ${testEvents.length} test events; the data set is too small for this protocol`);
  }

  const fitUsers = new Set(parts.fit.map((event) => event.userId));
  const pipelines = new Map<boolean, FeaturePipeline>();
  const pipelineFor = (metadata: boolean): FeaturePipeline => {
    let pipeline = pipelines.get(metadata);
    if (!pipeline) {
      pipeline = new FeaturePipeline({
        fields: data.fields,
        modalities: data.modalities,
        users: data.users,
        items: data.items,
        trainEvents: parts.fit,
        positiveThreshold,
        label,
        userEncoder: metadata ? { excludeFields: excludeUserFields } : { fields: [], modalities: [] },
        itemEncoder: metadata ? { excludeFields: excludeItemFields, maxTokens: 16 } : { fields: [], modalities: [] },
        laterIds: {
          items: [...new Set(warmPhases.flat().map((event) => event.itemId))].sort(),
          users: [...new Set(warmPhases.flat().map((event) => event.userId))].filter((user) => !fitUsers.has(user)).sort(),
        },
      });
      pipelines.set(metadata, pipeline);
    }
    return pipeline;
  };

  progress(`${name}: split ${JSON.stringify(split)}`);
  const base = pipelineFor(true);
  const trainSet = base.examples(parts.fit, parts.fit);
  // The cold half of validation: genuinely unseen entities, or cold aliases of seen ones.
  const validationCold = settings.validation === 'entities'
    ? base.examples(parts.validationEntities, parts.fit)
    : base.examples(parts.validation.map((event) => asCold(event, coldSide)), parts.fit);
  const validationSet = FeaturePipeline.concat(base.examples(parts.validation, parts.fit), validationCold);
  const warmTestSet = base.examples(parts.warmTest, parts.fit);
  const stages: Stage[] = [];
  const keys = ['cold_auc', 'warm_a_auc', 'warm_b_auc', 'warm_c_auc'] as const;
  let history = parts.fit;
  stages.push({ key: 'cold_auc', test: base.examples(testEvents, history) });
  warmPhases.slice(0, 3).forEach((phase, k) => {
    history = [...history, ...phase].sort((x, y) => x.time - y.time);
    stages.push({ key: keys[k + 1]!, update: base.examples(phase, history), test: base.examples(testEvents, history) });
  });
  const testLabels = Float32Array.from(testEvents, label);
  const testUsers = testEvents.map((event) => event.userId);

  const coldMetrics = (metrics: ReturnType<typeof emptyMetrics>, scores: ArrayLike<number>): void => {
    metrics.cold_auc = finiteOrNull(rocAuc(scores, testLabels));
    metrics.logloss = finiteOrNull(logLoss(scores, testLabels));
    metrics.ndcg10 = finiteOrNull(perUserNdcg(testUsers, scores, testLabels, 10));
  };

  async function runNeural(variant: Variant, seed: number): Promise<SeedMetrics> {
    const pipeline = pipelineFor(variant.metadata ?? true);
    const trained = await trainNeuralVariant(variant, pipeline, { train: trainSet, validation: validationSet }, settings, seed, coldSide, progress);
    let model = trained.model;
    try {
      const metrics = emptyMetrics();
      metrics.train_seconds = trained.seconds;
      metrics.epochs = trained.epochs;
      metrics.best_epoch = trained.bestEpoch;
      metrics.validation_loss = trained.validationLoss ?? null;
      metrics.validation_cold_auc = finiteOrNull(rocAuc(predict(model, pipeline.builder('train'), validationCold), validationCold.examples.map((e) => e.label!)));
      const known = pipeline.builder('train');
      metrics.warm_auc = finiteOrNull(rocAuc(predict(model, known, warmTestSet), warmTestSet.examples.map((e) => e.label!)));
      for (const stage of stages) {
        if (stage.update) model = await updateOnPhase(model, variant, pipeline.builder('all'), stage.update, settings, seed, coldSide);
        const scores = predict(model, stage.update ? pipeline.builder('all') : known, stage.test);
        if (stage.key === 'cold_auc') coldMetrics(metrics, scores);
        else metrics[stage.key] = finiteOrNull(rocAuc(scores, testLabels));
      }
      return metrics;
    } finally {
      model.dispose();
    }
  }

  function runLogistic(seed: number): SeedMetrics {
    const started = performance.now();
    const baseline = new LogisticBaseline(
      { fields: data.fields, users: data.users, items: data.items, train: parts.fit, excludeUserFields, excludeItemFields },
      { epochs: settings.logisticEpochs, seed },
    );
    baseline.fit(parts.fit, parts.fit.map(label));
    const metrics = emptyMetrics();
    metrics.train_seconds = (performance.now() - started) / 1000;
    metrics.warm_auc = finiteOrNull(rocAuc(baseline.predict(parts.warmTest), parts.warmTest.map(label)));
    coldMetrics(metrics, baseline.predict(testEvents));
    warmPhases.slice(0, 3).forEach((phase, k) => {
      baseline.fit(phase, phase.map(label));
      metrics[keys[k + 1]!] = finiteOrNull(rocAuc(baseline.predict(testEvents), testLabels));
    });
    return metrics;
  }

  return {
    name,
    kind: 'auc',
    split,
    notes: [
      `label = value >= ${positiveThreshold}; content excludes user fields [${excludeUserFields.join(', ')}] and item fields [${excludeItemFields.join(', ')}]`,
      `warm_auc = AUC on a seeded ${settings.warmTestShare} of the training events (${coldSide === 'item' ? 'hot items' : 'kept users'}), held out of training, validation and aggregates`,
      settings.validation === 'entities'
        ? `validation (early stopping) = a seeded ${settings.validationShare} of the training events (warm part) + every event of a seeded ${settings.validationShare} of the training ${coldSide}s held out entirely (cold part)`
        : `validation (early stopping) = a seeded ${settings.validationShare} of the training events, scored as is and with the ${coldSide} side as a cold alias`,
      ...(name === 'item-cold' ? [`warm phases: the trained model keeps training ${settings.updateEpochs} epoch(s) on that phase's rows only, then the same test rows are scored`] : []),
    ],
    async run(variant, seed) {
      if (variant.kind === 'neural') return runNeural(variant, seed);
      if (variant.kind === 'logistic-regression') return runLogistic(seed);
      throw new RangeError(`variant ${variant.name} (${variant.kind}) does not apply to the ${name} protocol`);
    },
  };
}
