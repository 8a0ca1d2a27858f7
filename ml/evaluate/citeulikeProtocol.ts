/**
 * CiteULike-a strict item cold start as a PreparedProtocol (split: ml/data/splits/
 * citeulikeStrictCold.ts): 20% of items (seed 42) never seen in training; for each evaluated
 * user ALL held-out items are ranked; Recall@20 and NDCG@20. Cold-item content = titles only
 * (item tags are interaction data: a titles+tags content-kNN is measured and reported in the
 * notes, never as a cold-start result).
 *
 * Training rows for the neural variants (implicit feedback): every training save is a positive,
 * with `negatives` items per positive drawn uniformly (seeded) from the training items outside
 * the user's library. A seeded `validationShare` of the saves (with their negatives) is held out
 * for early stopping, scored as is and with the item as a cold alias. Evaluated users: a seeded
 * sample of `rankingUsers` users with at least one held-out item (0 = all); content kNN is
 * measured on the same users (and on all users, in the notes).
 *
 * Modalities: the neural variants with metadata also read two dense text vectors (a seeded
 * random projection of TF-IDF, textProjection.ts): the item's title, and the user's library
 * profile (the items of the user's FIT saves). Users are warm in this protocol, so describing a
 * user by the content of their training library is allowed; the cold item side stays content
 * only. Without a user-side input the user x item interaction would have nothing to match.
 *
 * Pair features (variants with content: b, c, d): the TF-IDF title similarity of the item to
 * the user's fit library, as content kNN computes it (centroid, best match, top-3 mean;
 * ml/pipeline/LibrarySimilarity.ts), with the item itself always left out of the library so
 * that training positives look like held-out items. The models thus start from content kNN's
 * signal and learn what to add to it. Beside them, a collaborative signal for items nobody has
 * saved (ml/pipeline/NeighbourCollaborative.ts): the item's 20 nearest training items by title,
 * scored by user-based CF over the fit libraries (same leave-one-out). Users are warm, so their
 * libraries and their neighbours' are training data; the cold item enters only by its title.
 * Ranking runs the item companion once for all candidates (CandidateScorer.ts) and scores each
 * user from those synthetic features.
 *
 * Each training save is followed by its sampled negatives, so the training set can be grouped
 * (ExampleSet.groupSize = 1 + negatives) and `settings.rankingLoss` (BPR or sampled softmax,
 * ml/model/rankingLoss.ts) can compare them; it applies to every neural variant alike.
 *
 * `citeulike-cold-validation` (prepareCiteULikeValidationProtocol) runs the same protocol on
 * the TRAINING part of the test split only: the test items and their saves are removed, and a
 * second seeded 20% of the training items becomes the ranked cold set. Its NDCG@20 is the
 * validation signal for choosing settings; the test items never enter it.
 */
import { Random } from '../../store/demo/random.ts';
import type { StoredEntity } from '../../store/sql/readEntities.ts';
import type { StoredEvent } from '../../store/sql/readEvents.ts';
import { ContentKnn } from '../baselines/contentKnn.ts';
import { TfIdf, type SparseVector } from '../baselines/tfidf.ts';
import { computeAggregates } from '../data/aggregates.ts';
import type { ExampleSet } from '../data/ExampleBuilder.ts';
import { splitStrictColdItems, type UserLibrary } from '../data/splits/citeulikeStrictCold.ts';
import { tokenize } from '../features/tokenizer.ts';
import { RankingAccumulator, topK, type RankingMetrics } from '../metrics/ranking.ts';
import { coldAlias, FeaturePipeline, type ExampleRow } from '../pipeline/FeaturePipeline.ts';
import { LibrarySimilarity } from '../pipeline/LibrarySimilarity.ts';
import { NeighbourCollaborative } from '../pipeline/NeighbourCollaborative.ts';
import { appendColumns, concatPairFeatures } from '../pipeline/PairFeatures.ts';
import { profileOf, TextProjection } from '../pipeline/textProjection.ts';
import { emptyMetrics, type PreparedProtocol } from './Protocol.ts';
import type { SeedMetrics } from './report.ts';
import type { EvaluationSettings } from './settings.ts';
import type { StoreData } from '../store/loadStoreData.ts';
import { declaredFields } from './declaredFields.ts';
import { CandidateScorer } from './CandidateScorer.ts';
import { type Progress, trainNeuralVariant } from './trainNeural.ts';
import type { Variant } from './variants.ts';

const K = 20;
/** Width of the projected TF-IDF text modalities. */
const TEXT_DIM = 128;
/** Companion embedding / modality projection width for this protocol (128-wide text inputs). */
const EMBEDDING_DIM = 64;

export interface CiteULikeProtocolOptions {
  readonly splitSeed?: number;
  /** Report name; default citeulike-cold. */
  readonly name?: 'citeulike-cold' | 'citeulike-cold-validation';
  /** Item fields that are cold-start content; default ["title"]. */
  readonly contentFields?: readonly string[];
}

export function prepareCiteULikeProtocol(data: StoreData, settings: EvaluationSettings, progress: Progress, options: CiteULikeProtocolOptions = {}): PreparedProtocol {
  const splitSeed = options.splitSeed ?? 42;
  const name = options.name ?? 'citeulike-cold';
  const contentFields = declaredFields(data.fields, 'item', options.contentFields ?? ['title']);
  const split = splitStrictColdItems(data.events, { seed: splitSeed, items: data.items.map((item) => item.externalId) });
  const random = new Random(splitSeed).derive('citeulike');

  // Validation saves, then sampled negatives for every save.
  const holdout = random.derive('validation');
  const fitSaves: StoredEvent[] = [];
  const validationSaves: StoredEvent[] = [];
  for (const event of split.train) (holdout.next() < settings.validationShare ? validationSaves : fitSaves).push(event);
  const libraries = new Map<string, Set<string>>(split.users.map((user) => [user.userId, new Set(user.trainItems)]));
  const negativeDraws = random.derive('negatives');
  const withNegatives = (saves: readonly StoredEvent[]): ExampleRow[] => {
    const rows: ExampleRow[] = [];
    for (const save of saves) {
      rows.push({ userId: save.userId, itemId: save.itemId, time: save.time, label: 1 });
      const library = libraries.get(save.userId)!;
      for (let n = 0; n < settings.negatives; n++) {
        let item = negativeDraws.pick(split.trainItems);
        for (let attempt = 0; attempt < 20 && library.has(item); attempt++) item = negativeDraws.pick(split.trainItems);
        rows.push({ userId: save.userId, itemId: item, time: save.time, label: 0 });
      }
    }
    return rows;
  };

  const evaluable = split.users.filter((user) => user.coldItems.length > 0);
  const evaluated = settings.rankingUsers > 0 && settings.rankingUsers < evaluable.length
    ? random.derive('users').shuffle([...evaluable]).slice(0, settings.rankingUsers).sort((a, b) => (a.userId < b.userId ? -1 : 1))
    : evaluable;
  const splitSizes = {
    users: split.users.length,
    evaluable_users: evaluable.length,
    evaluated_users: evaluated.length,
    train_items: split.trainItems.length,
    cold_items: split.coldItems.length,
    train_saves: split.train.length,
    fit_saves: fitSaves.length,
    validation_saves: validationSaves.length,
    test_saves: split.test.length,
  };
  progress(`${name}: split ${JSON.stringify(splitSizes)}`);

  // Dense text modalities (see textProjection.ts): the item's title, and the user's library
  // profile from FIT saves only (validation and test saves never enter it). IDF from training
  // items only. Both scaled to unit variance per value.
  const title = (item: StoredEntity): string[] => contentFields.flatMap((field) => tokenize(String(item.metadata[field] ?? ''), { stopwords: true }));
  const trainItemSet = new Set(split.trainItems);
  const projection = new TextProjection(TfIdf.fit(data.items.filter((item) => trainItemSet.has(item.externalId)).map(title)), TEXT_DIM, splitSeed);
  const itemText = new Map(data.items.map((item) => [item.externalId, projection.project(title(item))]));
  const fitLibraries = new Map<string, Float32Array[]>();
  for (const save of fitSaves) {
    const library = fitLibraries.get(save.userId);
    if (library) library.push(itemText.get(save.itemId)!);
    else fitLibraries.set(save.userId, [itemText.get(save.itemId)!]);
  }
  const scale = (vector: Float32Array): Float32Array => vector.map((value) => value * Math.sqrt(TEXT_DIM));
  const users = data.users.map((user) => ({ ...user, vectors: { ...user.vectors, library_text: scale(profileOf(fitLibraries.get(user.externalId) ?? [], TEXT_DIM)) } }));
  const items = data.items.map((item) => ({ ...item, vectors: { ...item.vectors, title_text: scale(new Float32Array(itemText.get(item.externalId)!)) } }));
  const modalities = [
    { name: 'title_text', dimension: TEXT_DIM, entityType: 'item' as const },
    { name: 'library_text', dimension: TEXT_DIM, entityType: 'user' as const },
  ];

  // Pair features (LibrarySimilarity.ts): TF-IDF title similarity of an item to the user's FIT
  // library, leaving the item itself out; what content kNN ranks by, as an input of the
  // variants that see content.
  const titleTfidf = TfIdf.fit(data.items.filter((item) => trainItemSet.has(item.externalId)).map(title));
  const titleVectors = new Map<string, SparseVector>(data.items.map((item) => [item.externalId, titleTfidf.vectorize(title(item))]));
  const fitLibraryIds = new Map<string, string[]>();
  for (const save of fitSaves) {
    const library = fitLibraryIds.get(save.userId);
    if (library) library.push(save.itemId);
    else fitLibraryIds.set(save.userId, [save.itemId]);
  }
  const librarySimilarity = new LibrarySimilarity(titleVectors, fitLibraryIds, titleTfidf.vocabulary.size);
  // Content neighbours scored by user-based CF (NeighbourCollaborative.ts): the collaborative
  // signal that content kNN lacks, carried to cold items through their titles.
  const pairFeatures = concatPairFeatures(librarySimilarity, new NeighbourCollaborative(titleVectors, fitLibraryIds));

  const pipelines = new Map<boolean, FeaturePipeline>();
  const pipelineFor = (metadata: boolean): FeaturePipeline => {
    let pipeline = pipelines.get(metadata);
    if (!pipeline) {
      pipeline = new FeaturePipeline({
        fields: data.fields,
        modalities,
        users,
        items,
        trainEvents: fitSaves,
        positiveThreshold: 1,
        label: () => 1,
        userEncoder: metadata ? { modalities: ['library_text'] } : { fields: [], modalities: [] },
        itemEncoder: metadata ? { fields: contentFields, modalities: ['title_text'], maxTokens: 24, stopwords: true } : { fields: [], modalities: [] },
        ...(metadata ? { pairFeatures } : {}),
      });
      pipelines.set(metadata, pipeline);
    }
    return pipeline;
  };
  const base = pipelineFor(true);
  const fitRows = withNegatives(fitSaves);
  const validationRows = withNegatives(validationSaves);
  // Rows are [save, its negatives] groups in order, which a ranking loss compares; batches keep
  // them together only when one is trained (otherwise rows are shuffled one by one, as before).
  const trainSet = { ...base.examples(fitRows, fitSaves), ...(settings.rankingLoss === 'none' ? {} : { groupSize: 1 + settings.negatives }) };
  const validationSet = FeaturePipeline.concat(
    base.examples(validationRows, fitSaves),
    base.examples(validationRows.map((row) => ({ ...row, itemId: coldAlias(row.itemId) })), fitSaves),
  );
  // Every candidate of a user shares the user's aggregates; held-out items have no history.
  const rankTime = data.events.reduce((latest, event) => Math.max(latest, event.time), 0) + 1;
  const userAggregates = computeAggregates(
    fitSaves,
    evaluated.map((user) => ({ userId: user.userId, itemId: coldAlias('(no item)'), time: rankTime })),
    { positiveThreshold: 1 },
  );
  const width = userAggregates.length / Math.max(1, evaluated.length);

  function candidates(pipeline: FeaturePipeline, user: UserLibrary, u: number): ExampleSet {
    const aggregates = new Float32Array(split.coldItems.length * width);
    const row = userAggregates.subarray(u * width, (u + 1) * width);
    for (let c = 0; c < split.coldItems.length; c++) aggregates.set(row, c * width);
    const examples = split.coldItems.map((itemId) => ({ userId: user.userId, itemId }));
    const pairWidth = pipeline.aggregateSpecs.length - width;
    if (pairWidth === 0) return { examples, aggregates };
    return { examples, aggregates: appendColumns(aggregates, width, pairFeatures.compute(examples), pairWidth) };
  }

  async function runNeural(variant: Variant, seed: number): Promise<SeedMetrics> {
    const pipeline = pipelineFor(variant.metadata ?? true);
    const trained = await trainNeuralVariant(variant, pipeline, { train: trainSet, validation: validationSet }, settings, seed, 'item', progress, {
      embeddingDim: EMBEDDING_DIM,
      train: { ranking: settings.rankingLoss },
    });
    try {
      const metrics = emptyMetrics();
      metrics.train_seconds = trained.seconds;
      metrics.epochs = trained.epochs;
      metrics.best_epoch = trained.bestEpoch;
      metrics.validation_loss = trained.validationLoss ?? null;
      const scorer = new CandidateScorer(trained.model, pipeline.builder('train'), pipeline.items, split.coldItems);
      const accumulator = new RankingAccumulator(K);
      const started = performance.now();
      evaluated.forEach((user, u) => {
        const scores = scorer.score(candidates(pipeline, user, u));
        accumulator.add([...topK(scores, K)].map((c) => split.coldItems[c]!), new Set(user.coldItems));
        if ((u + 1) % 250 === 0) progress(`  ${variant.name} seed ${seed}: ranked ${u + 1}/${evaluated.length} users (${Math.round((performance.now() - started) / 1000)} s)`);
      });
      const result = accumulator.result();
      metrics.recall20 = result.recall;
      metrics.ndcg20 = result.ndcg;
      return metrics;
    } finally {
      trained.model.dispose();
    }
  }

  const titleAndTags = (item: StoredEntity): string[] => [
    ...title(item),
    ...(Array.isArray(item.metadata.tags) ? item.metadata.tags.map((tag) => `tag:${String(tag).toLowerCase()}`) : []),
  ];
  function contentKnn(words: (item: StoredEntity) => string[], users: readonly UserLibrary[]): RankingMetrics {
    const trainItems = new Set(split.trainItems);
    const tfidf = TfIdf.fit(data.items.filter((item) => trainItems.has(item.externalId)).map(words));
    const vectors = new Map<string, SparseVector>(data.items.map((item) => [item.externalId, tfidf.vectorize(words(item))]));
    const knn = new ContentKnn(split.coldItems.map((id) => ({ id, vector: vectors.get(id)! })));
    const accumulator = new RankingAccumulator(K);
    for (const user of users) accumulator.add(knn.rank(user.trainItems.map((id) => vectors.get(id)!), K), new Set(user.coldItems));
    return accumulator.result();
  }

  const notes = [
    `cold-item content = item fields [${contentFields.join(', ')}]; ${settings.negatives} sampled negative(s) per training save; ranking loss ${settings.rankingLoss}`,
    `variants with content also get pair features: TF-IDF title similarity to the user's fit library (${librarySimilarity.names.join(', ')}) and user-based CF over the item's 20 nearest training items by title (neighbour_cf_mean, neighbour_cf_max), the item itself left out`,
    `ranking over all ${split.coldItems.length} held-out items for ${evaluated.length} of ${evaluable.length} users with held-out items (seeded sample)`,
  ];
  // Reference numbers on ALL users (fast), and the tags variant, which is not cold start.
  const allUsers = contentKnn(title, evaluable);
  notes.push(`e-content-knn on all ${allUsers.users} users: Recall@20 ${allUsers.recall.toFixed(4)}, NDCG@20 ${allUsers.ndcg.toFixed(4)}`);
  if (data.fields.some((field) => field.entityType === 'item' && field.name === 'tags')) {
    const tags = contentKnn(titleAndTags, evaluated);
    notes.push(`NOT cold start (tags are interaction data): content kNN on titles+tags, same users: Recall@20 ${tags.recall.toFixed(4)}, NDCG@20 ${tags.ndcg.toFixed(4)}`);
  }

  return {
    name,
    kind: 'ranking',
    split: splitSizes,
    notes,
    async run(variant, seed) {
      if (variant.kind === 'neural') return runNeural(variant, seed);
      if (variant.kind === 'content-knn') {
        const started = performance.now();
        const result = contentKnn(title, evaluated);
        return { ...emptyMetrics(), recall20: result.recall, ndcg20: result.ndcg, train_seconds: (performance.now() - started) / 1000 };
      }
      throw new RangeError(`variant ${variant.name} (${variant.kind}) does not apply to the citeulike-cold protocol`);
    },
  };
}

/**
 * The validation protocol: citeulike-cold on the training part of the test split (seed 42)
 * only, with a second strict cold split (seed 43) of the training items as the ranked set. Test
 * items and every save of them are dropped before anything is computed, so settings chosen by
 * this protocol's NDCG@20 never saw the test split.
 */
export function prepareCiteULikeValidationProtocol(data: StoreData, settings: EvaluationSettings, progress: Progress, options: CiteULikeProtocolOptions = {}): PreparedProtocol {
  const testSplit = splitStrictColdItems(data.events, { seed: options.splitSeed ?? 42, items: data.items.map((item) => item.externalId) });
  const trainItems = new Set(testSplit.trainItems);
  const trainingPart: StoreData = { ...data, events: testSplit.train, items: data.items.filter((item) => trainItems.has(item.externalId)) };
  progress(`citeulike-cold-validation: ${testSplit.coldItems.length} test items and their ${testSplit.test.length} saves removed`);
  return prepareCiteULikeProtocol(trainingPart, settings, progress, { ...options, splitSeed: (options.splitSeed ?? 42) + 1, name: 'citeulike-cold-validation' });
}
