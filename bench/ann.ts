/**
 * `npm run bench -- ann [--quick] [--items 100000] [--queries 200] [--ef 20,40,80,100,200,400,800]
 * [--stores embedded,server]`: approximate nearest-neighbour search over synthesized item
 * vectors, against exact search, through store/sql/searchFeatureVectors.ts. On each store: the
 * benchmark catalogue (bench/support/itemCatalog.ts) with a small trained model, its item
 * companion materialized into item_synthesized (HNSW indexes for cosine and inner product, built
 * with HNSW_BUILD). Queries: for cosine (similar items), the stored vectors of random items, the
 * item itself excluded; for inner product (recommendation candidates), the retrieval head's
 * queries q_u = s_u W of random users, computed from the same model. For each ef_search:
 * recall@10 against the exact answer (`approximate: false`) and p50/p99 latency per query. Then
 * 1% of the items change and an incremental run publishes a version searched through the first
 * version's indexes plus the delta: its recall and latency at the default ef_search are measured too.
 * The smallest ef_search reaching recall@10 >= 0.95 everywhere, per metric, is the one to make the
 * default (store/sql/searchFeatureVectors.ts).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import pino from 'pino';
import { DEFAULT_MATERIALIZE_SETTINGS } from '../jobs/interfaces.ts';
import { MAIN_MODEL } from '../jobs/mainJob.ts';
import { runMaterialization } from '../jobs/materialize/runMaterialization.ts';
import { EntityTable } from '../ml/data/EntityTable.ts';
import { loadTrainedModel } from '../ml/store/modelArtifacts.ts';
import type { Database } from '../store/db/Database.ts';
import { HNSW_BUILD, type VectorMetric } from '../store/sql/featureVectorIndex.ts';
import { readEntities } from '../store/sql/readEntities.ts';
import { defaultEfSearch, explainFeatureVectorSearch, searchFeatureVectors } from '../store/sql/searchFeatureVectors.ts';
import { layoutRowsSql, readVersionRowLayout } from '../store/sql/versionRows.ts';
import { type BenchContext, type BenchReport, type Chart, formatNumber, type HeadlineRow, markdownTable } from './report/BenchReport.ts';
import { lineChart } from './report/svgCharts.ts';
import { availableStores, openBenchStore, parseStores } from './support/benchStores.ts';
import { buildCatalog, FEATURE_SETS } from './support/itemCatalog.ts';

const K = 10;
const RECALL_TARGET = 0.95;

export interface AnnMeasurement {
  readonly store: string;
  readonly metric: VectorMetric;
  /** 'exact' for the reference scan. */
  readonly efSearch: number | 'exact';
  /** 'own indexes' (a full version) or 'base + delta' (an incremental version searched through another's). */
  readonly layout: 'own indexes' | 'base + delta';
  readonly recall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly queries: number;
}

export async function runAnnBench(argv: readonly string[], context: BenchContext): Promise<BenchReport> {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    options: { quick: { type: 'boolean', default: false }, items: { type: 'string' }, queries: { type: 'string' }, ef: { type: 'string' }, stores: { type: 'string' } },
  });
  const quick = values.quick === true;
  const items = Number(values.items ?? (quick ? 3_000 : 100_000));
  const queries = Number(values.queries ?? (quick ? 30 : 200));
  const efs = String(values.ef ?? '20,40,80,100,200,400,800').split(',').map(Number);
  if (efs.some((ef) => !Number.isInteger(ef) || ef < 1)) throw new Error(`--ef: expected integers, got ${values.ef}`);
  const { kinds, skipped } = availableStores(parseStores(values.stores as string | undefined));
  const measurements: AnnMeasurement[] = [];
  const builds: { store: string; seconds: number; plan: string; incrementalPlan: string }[] = [];
  for (const kind of kinds) {
    const store = await openBenchStore(kind);
    try {
      context.log(`bench ann: ${store.label}, ${formatNumber(items)} items, ${queries} queries per metric`);
      await buildCatalog(store.db, { items, users: quick ? 200 : 1_000, epochs: quick ? 1 : 2 }, context.log);
      const full = await materialize(store.db, 'full');
      context.log(`  materialized ${FEATURE_SETS.synthesized} with its HNSW indexes in ${full.seconds.toFixed(1)} s`);
      const workload = await queriesFor(store.db, queries, full.versionId);
      const build = { store: store.label, seconds: full.seconds, plan: await planOf(store.db, full.versionId, full.dimension, workload.cosine[0]!), incrementalPlan: '' };
      builds.push(build);
      for (const metric of ['cosine', 'inner_product'] as const) {
        const cases = workload[metric];
        const exact = await timeSearches(store.db, full.versionId, full.dimension, metric, cases, { approximate: false });
        measurements.push({ store: store.label, metric, efSearch: 'exact', layout: 'own indexes', recall: 1, ...percentiles(exact.ms), queries: cases.length });
        for (const ef of efs) {
          const found = await timeSearches(store.db, full.versionId, full.dimension, metric, cases, { efSearch: ef });
          measurements.push({ store: store.label, metric, efSearch: ef, layout: 'own indexes', recall: recall(found.keys, exact.keys), ...percentiles(found.ms), queries: cases.length });
          context.log(`  ${metric} ef_search ${ef}: recall@10 ${recall(found.keys, exact.keys).toFixed(3)}, p50 ${percentiles(found.ms).p50Ms.toFixed(2)} ms`);
        }
      }
      // An incremental version (1% changed) is searched through the full version's indexes plus its delta.
      await store.db.sql.query(
        `UPDATE item SET metadata = jsonb_set(metadata, '{price}', to_jsonb(coalesce((metadata->>'price')::float8, 0) * 2)), updated_at = now()
          WHERE id IN (SELECT id FROM item ORDER BY id LIMIT $1)`,
        [Math.max(1, Math.round(items / 100))],
      );
      const incremental = await materialize(store.db, 'incremental');
      const [layout] = await store.db.sql.query<{ base: number | null }>('SELECT ann_base_version_id AS base FROM feature_set_version WHERE id = $1', [incremental.versionId]);
      if (layout?.base !== full.versionId) context.log(`  note: the incremental version has its own indexes (base ${layout?.base ?? 'none'})`);
      build.incrementalPlan = await planOf(store.db, incremental.versionId, incremental.dimension, workload.cosine[0]!);
      for (const metric of ['cosine', 'inner_product'] as const) {
        const cases = workload[metric];
        const exact = await timeSearches(store.db, incremental.versionId, incremental.dimension, metric, cases, { approximate: false });
        const found = await timeSearches(store.db, incremental.versionId, incremental.dimension, metric, cases, {});
        measurements.push({ store: store.label, metric, efSearch: defaultEfSearch(metric), layout: layout?.base === full.versionId ? 'base + delta' : 'own indexes', recall: recall(found.keys, exact.keys), ...percentiles(found.ms), queries: cases.length });
      }
    } finally {
      await store.close();
    }
  }
  return report(measurements, builds, { items, queries, efs, quick, skipped });
}

async function materialize(db: Database, mode: 'full' | 'incremental'): Promise<{ versionId: number; dimension: number; seconds: number }> {
  const result = await runMaterialization({ db, log: pino({ level: 'warn' }), backend: 'auto' }, { featureSet: FEATURE_SETS.synthesized, mode }, { worker: 'bench', settings: DEFAULT_MATERIALIZE_SETTINGS });
  if (result.run.status !== 'succeeded') throw new Error(`materializing ${FEATURE_SETS.synthesized} ended ${result.run.status}: ${result.run.error}`);
  const feature = result.plan.version.schema.features.find((spec) => spec.type === 'vector') as { dimension: number };
  return { versionId: result.plan.version.id, dimension: feature.dimension, seconds: result.seconds };
}

interface QueryCase {
  readonly vector: number[];
  readonly exclude: string[];
}

/** Item vectors of random items (cosine) and retrieval queries of random users (inner product). */
async function queriesFor(db: Database, count: number, versionId: number): Promise<Record<VectorMetric, QueryCase[]>> {
  const rows = layoutRowsSql(await readVersionRowLayout(db.sql, versionId));
  const itemRows = await db.sql.query<{ entity_key: string; vector: number[] }>(
    `SELECT entity_key, vector::real[] AS vector FROM ${rows} fv ORDER BY hashtext(entity_key) LIMIT $1`,
    [count],
  );
  const users = (await readEntities(db.sql, 'user', { modalities: true })).sort((a, b) => hash(a.externalId) - hash(b.externalId)).slice(0, count);
  const loaded = await loadTrainedModel(db, MAIN_MODEL);
  try {
    const table = EntityTable.encode(loaded.features.userEncoder, users);
    const queries = tf.tidy(() => loaded.model.retrievalQueries(loaded.model.synthesize('user', table.inputs)));
    const values = await queries.array();
    queries.dispose();
    return {
      cosine: itemRows.map((row) => ({ vector: row.vector.map(Number), exclude: [row.entity_key] })),
      inner_product: values.map((vector) => ({ vector, exclude: [] })),
    };
  } finally {
    loaded.model.dispose();
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

async function timeSearches(db: Database, versionId: number, dimension: number, metric: VectorMetric, cases: readonly QueryCase[], options: { approximate?: boolean; efSearch?: number }): Promise<{ keys: string[][]; ms: number[] }> {
  const search = (query: QueryCase) => searchFeatureVectors(db, { versionId, dimension, entityType: 'item', query: query.vector, k: K, metric, excludeKeys: query.exclude, ...options });
  for (const query of cases.slice(0, 5)) await search(query); // warm caches and JIT
  const keys: string[][] = [];
  const ms: number[] = [];
  for (const query of cases) {
    const started = performance.now();
    const found = await search(query);
    ms.push(performance.now() - started);
    keys.push(found.map((match) => match.entityKey));
  }
  return { keys, ms };
}

function recall(found: readonly string[][], exact: readonly string[][]): number {
  let hits = 0;
  let total = 0;
  found.forEach((keys, q) => {
    const truth = new Set(exact[q]);
    hits += keys.filter((key) => truth.has(key)).length;
    total += truth.size;
  });
  return total === 0 ? 1 : hits / total;
}

function percentiles(ms: readonly number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The plans of the statements searchFeatureVectors runs: evidence of which indexes serve them. */
async function planOf(db: Database, versionId: number, dimension: number, query: QueryCase): Promise<string> {
  const plans: string[] = [];
  for (const metric of ['cosine', 'inner_product'] as const) {
    const plan = await explainFeatureVectorSearch(db, { versionId, dimension, entityType: 'item', query: query.vector, k: K, metric, excludeKeys: query.exclude }, { analyze: true });
    plans.push(`${metric}:`, ...plan.split('\n').filter((line) => !/Order By|Sort Key|Index Cond|Filter: \(entity_key/.test(line)).map((line) => `  ${line}`));
  }
  return plans.join('\n');
}

function report(measurements: readonly AnnMeasurement[], builds: readonly { store: string; seconds: number; plan: string; incrementalPlan: string }[], settings: { items: number; queries: number; efs: readonly number[]; quick: boolean; skipped: readonly string[] }): BenchReport {
  const own = measurements.filter((m) => m.layout === 'own indexes' && m.efSearch !== 'exact');
  const groups = [...new Set(own.map((m) => `${m.store}|${m.metric}`))];
  const smallest = (group: string) => own.filter((m) => `${m.store}|${m.metric}` === group && m.recall >= RECALL_TARGET).map((m) => m.efSearch as number).sort((a, b) => a - b)[0];
  const needed = groups.map(smallest);
  const chosen = needed.some((ef) => ef === undefined) ? undefined : Math.max(...(needed as number[]));
  const headline: HeadlineRow[] = [];
  for (const group of groups) {
    const [store, metric] = group.split('|');
    const efDefault = defaultEfSearch(metric as VectorMetric);
    const atDefault = measurements.find((m) => m.store === store && m.metric === metric && m.efSearch === efDefault && m.layout === 'own indexes');
    if (atDefault) {
      headline.push({
        what: `ann ${metric} recall@10, ef_search ${efDefault} (default), ${formatNumber(settings.items)} items, ${store}`,
        value: `${atDefault.recall.toFixed(3)} (p50 ${atDefault.p50Ms.toFixed(2)} ms, p99 ${atDefault.p99Ms.toFixed(2)} ms)`,
        target: `>= ${RECALL_TARGET}`,
        met: atDefault.recall >= RECALL_TARGET,
      });
    }
    const delta = measurements.find((m) => m.store === store && m.metric === metric && m.layout === 'base + delta');
    if (delta) headline.push({ what: `ann ${metric} recall@10 of an incremental version (base indexes + delta), ${store}`, value: `${delta.recall.toFixed(3)} (p50 ${delta.p50Ms.toFixed(2)} ms, p99 ${delta.p99Ms.toFixed(2)} ms)`, target: `>= ${RECALL_TARGET}`, met: delta.recall >= RECALL_TARGET });
  }
  for (const metric of ['cosine', 'inner_product'] as const) {
    const perStore = groups.filter((group) => group.endsWith(`|${metric}`)).map(smallest);
    if (perStore.length === 0) continue;
    headline.push({
      what: `ann ${metric}: smallest ef_search with recall@10 >= 0.95 on every store`,
      value: perStore.some((ef) => ef === undefined) ? `none of ${settings.efs.join(', ')} on every store` : `${Math.max(...(perStore as number[]))} (default ${defaultEfSearch(metric)})`,
    });
  }
  const rows = measurements.map((m) => [m.store, m.metric, String(m.efSearch), m.layout, m.recall.toFixed(3), m.p50Ms.toFixed(2), m.p99Ms.toFixed(2), m.queries]);
  const markdown = [
    `${formatNumber(settings.items)} synthesized item vectors (the trained model's item companion, materialized), ${settings.queries} queries per metric: cosine with random items' own vectors (the item excluded), inner product with the retrieval head's queries of random users. ` +
      `HNSW built with m = ${HNSW_BUILD.m}, ef_construction = ${HNSW_BUILD.efConstruction}; iterative scan relaxed_order; k = ${K}. Latency is per searchFeatureVectors call (one transaction: settings, layout lookup, query) from this process.`,
    ...settings.skipped.map((line) => `\nnot measured: ${line}`),
    '',
    markdownTable(['store', 'metric', 'ef_search', 'searched through', 'recall@10', 'p50 ms', 'p99 ms', 'queries'], rows),
    '',
    `Smallest ef_search with recall@10 >= ${RECALL_TARGET} on every store and metric: ${chosen ?? 'none measured'} (defaults: cosine ${defaultEfSearch('cosine')}, inner product ${defaultEfSearch('inner_product')}).`,
    '',
    ...builds.flatMap((build) => [
      `${build.store}: full materialization with index builds ${build.seconds.toFixed(1)} s. Plans (EXPLAIN ANALYZE) of a search of the full version, then of the incremental version (base indexes + delta):`,
      '', '```', build.plan, '```', '', '```', build.incrementalPlan, '```', '',
    ]),
  ].join('\n');
  const charts: Chart[] = [];
  for (const metric of ['cosine', 'inner_product'] as const) {
    const series = [...new Set(own.filter((m) => m.metric === metric).map((m) => m.store))].map((store) => ({
      name: store,
      points: own.filter((m) => m.metric === metric && m.store === store).map((m) => [m.efSearch as number, m.recall] as const),
    }));
    if (series.length === 0) continue;
    charts.push({ id: `recall-${metric}`, title: `recall@10 against ef_search (${metric})`, svg: lineChart({ title: `HNSW recall@10 against ef_search (${metric})`, xLabel: 'ef_search', yLabel: 'recall@10', logX: true, series, rules: [{ y: RECALL_TARGET, label: 'target 0.95' }], yMax: 1 }) });
    const latency = [...new Set(own.filter((m) => m.metric === metric).map((m) => m.store))].flatMap((store) => [
      { name: `${store} p50`, points: own.filter((m) => m.metric === metric && m.store === store).map((m) => [m.efSearch as number, m.p50Ms] as const) },
      { name: `${store} p99`, points: own.filter((m) => m.metric === metric && m.store === store).map((m) => [m.efSearch as number, m.p99Ms] as const) },
    ]);
    charts.push({ id: `latency-${metric}`, title: `latency against ef_search (${metric})`, svg: lineChart({ title: `Search latency percentiles against ef_search (${metric})`, xLabel: 'ef_search', yLabel: 'ms', logX: true, series: latency, yMin: 0 }) });
  }
  return { headline, markdown, charts, data: { settings: { ...settings, hnsw: HNSW_BUILD, defaultEfSearch: { cosine: defaultEfSearch('cosine'), inner_product: defaultEfSearch('inner_product') } }, measurements, builds, chosenEfSearch: chosen ?? null } };
}
