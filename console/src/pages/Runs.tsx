/**
 * Runs: training runs (loss and metric curves per epoch, the learning-rate schedule, companion
 * size changes) and materialization runs (live progress, polled while a run is unfinished).
 */
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '../api.ts';
import { Chart, PALETTE, type ChartSeries } from '../charts/Chart.tsx';
import { Badge, formatDate, formatDuration, formatNumber, JsonView, Status } from '../components.tsx';
import { href } from '../route.ts';

const POLL_MS = 1_000;
const UNFINISHED = new Set(['QUEUED', 'RUNNING']);

interface MaterializationRun {
  id: string;
  mode: string;
  status: string;
  rowsDone: number;
  rowsTotal: number;
  progress: number;
  partitions: { total: number; succeeded: number; running: number; queued: number; failed: number };
  workers: string[];
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  featureSetVersion: { id: string; version: number; status: string; featureSet: { name: string } };
}

const RUN_FIELDS = `id mode status rowsDone rowsTotal progress partitions { total succeeded running queued failed } workers error createdAt startedAt finishedAt
  featureSetVersion { id version status featureSet { name } }`;

export function RunsPage(props: { args: readonly string[] }) {
  const [type, id] = props.args;
  if (type === 'training' && id) return <TrainingRunPage id={id} />;
  if (type === 'materialization' && id) return <MaterializationRunPage id={id} />;
  return <RunList />;
}

function RunList() {
  const training = useQuery<{ trainingRuns: { id: string; status: string; seed: number; backend: string | null; createdAt: string; startedAt: string | null; finishedAt: string | null; modelVersions: { name: string; version: number }[] }[] }>(
    `{ trainingRuns(first: 20) { id status seed backend createdAt startedAt finishedAt modelVersions { name version } } }`,
  );
  // Every second while a run is unfinished; every 5 s otherwise, to pick up new runs.
  const [busy, setBusy] = useState(true);
  const materialization = useQuery<{ materializationRuns: MaterializationRun[] }>(`{ materializationRuns(first: 30) { ${RUN_FIELDS} } }`, {}, { pollMs: busy ? POLL_MS : POLL_MS * 5 });
  const anyUnfinished = materialization.data?.materializationRuns.some((run) => UNFINISHED.has(run.status)) ?? true;
  useEffect(() => setBusy(anyUnfinished), [anyUnfinished]);
  return (
    <section>
      <h1>Runs</h1>
      <h2>Materialization runs</h2>
      <Status loading={materialization.loading && !materialization.data} error={materialization.error}>
        <table data-testid="materialization-runs">
          <thead><tr><th>Run</th><th>Feature set version</th><th>Mode</th><th>Status</th><th>Progress</th><th>Rows</th><th>Duration</th><th>Created</th></tr></thead>
          <tbody>
            {materialization.data?.materializationRuns.map((run) => (
              <tr key={run.id} data-testid={`materialization-run-${run.id}`}>
                <td><a href={href('runs', ['materialization', run.id])}>#{run.id}</a></td>
                <td>{run.featureSetVersion.featureSet.name} v{run.featureSetVersion.version}</td>
                <td>{run.mode}</td>
                <td><Badge status={run.status} /></td>
                <td><ProgressBar progress={run.progress} /></td>
                <td>{formatNumber(run.rowsDone)} / {formatNumber(run.rowsTotal)}</td>
                <td>{formatDuration(run.startedAt, run.finishedAt)}</td>
                <td>{formatDate(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Status>
      <h2>Training runs</h2>
      <Status loading={training.loading && !training.data} error={training.error}>
        <table data-testid="training-runs">
          <thead><tr><th>Run</th><th>Status</th><th>Model</th><th>Seed</th><th>Backend</th><th>Duration</th><th>Created</th></tr></thead>
          <tbody>
            {training.data?.trainingRuns.map((run) => (
              <tr key={run.id}>
                <td><a href={href('runs', ['training', run.id])}>#{run.id}</a></td>
                <td><Badge status={run.status} /></td>
                <td>{run.modelVersions.map((m) => `${m.name} v${m.version}`).join(', ') || '-'}</td>
                <td>{run.seed}</td>
                <td>{run.backend ?? '-'}</td>
                <td>{formatDuration(run.startedAt, run.finishedAt)}</td>
                <td>{formatDate(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Status>
    </section>
  );
}

export function ProgressBar(props: { progress: number; testId?: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, props.progress)) * 1000) / 10;
  return (
    <span className="progress" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} data-testid={props.testId}>
      <span className="progress-fill" style={{ width: `${percent}%` }} />
      <span className="progress-label">{percent}%</span>
    </span>
  );
}

function MaterializationRunPage(props: { id: string }) {
  // Poll only while the run is unfinished; a finished run's record no longer changes.
  const [finished, setFinished] = useState(false);
  const first = useQuery<{ materializationRun: MaterializationRun | null }>(`query($id: ID!) { materializationRun(id: $id) { ${RUN_FIELDS} } }`, { id: props.id }, finished ? {} : { pollMs: POLL_MS });
  const run = first.data?.materializationRun;
  useEffect(() => setFinished(run ? !UNFINISHED.has(run.status) : false), [run?.status]);
  return (
    <section>
      <p><a href={href('runs')}>Runs</a> /</p>
      <h1>Materialization run #{props.id}</h1>
      <Status loading={first.loading && !first.data} error={first.error}>
        {first.data && !run && <p className="error">No materialization run {props.id}.</p>}
        {run && (
          <div data-testid="materialization-run">
            <p>
              <Badge status={run.status} /> {run.mode} materialization of{' '}
              <a href={href('feature-sets', [run.featureSetVersion.featureSet.name], { version: run.featureSetVersion.version })}>{run.featureSetVersion.featureSet.name} v{run.featureSetVersion.version}</a>{' '}
              ({run.featureSetVersion.status.toLowerCase()}) · <a href={href('lineage', [], { kind: 'MATERIALIZATION_RUN', id: run.id })}>lineage</a>
            </p>
            <ProgressBar progress={run.progress} testId="run-progress" />
            <dl className="facts">
              <dt>Rows</dt><dd data-testid="run-rows">{formatNumber(run.rowsDone)} / {formatNumber(run.rowsTotal)}</dd>
              <dt>Partitions</dt><dd>{run.partitions.succeeded} of {run.partitions.total} done, {run.partitions.running} running, {run.partitions.queued} queued, {run.partitions.failed} failed</dd>
              <dt>Workers</dt><dd>{run.workers.join(', ') || '-'}</dd>
              <dt>Created</dt><dd>{formatDate(run.createdAt)}</dd>
              <dt>Started</dt><dd>{formatDate(run.startedAt)}</dd>
              <dt>Finished</dt><dd>{formatDate(run.finishedAt)}</dd>
              <dt>Duration</dt><dd>{formatDuration(run.startedAt, run.finishedAt)}</dd>
              {run.error && <><dt>Error</dt><dd className="error">{run.error}</dd></>}
            </dl>
            {UNFINISHED.has(run.status) && <p className="muted">Refreshing every second while the run is unfinished.</p>}
          </div>
        )}
      </Status>
    </section>
  );
}

/** A training run's epoch log: `epoch` and numbers (trainLoss, validationLoss, validationAuc, learningRate...). */
type Epoch = { epoch: number } & Record<string, unknown>;

function TrainingRunPage(props: { id: string }) {
  const [finished, setFinished] = useState(false);
  const query = useQuery<{ trainingRun: { id: string; status: string; config: unknown; seed: number; codeVersion: string; backend: string | null; metrics: unknown; epochs: Epoch[]; sizeChanges: Record<string, unknown>[]; error: string | null; createdAt: string; startedAt: string | null; finishedAt: string | null; dataSnapshot: { id: string; eventWatermark: string | null } | null; modelVersions: { id: string; name: string; version: number }[] } | null }>(
    `query($id: ID!) { trainingRun(id: $id) { id status config seed codeVersion backend metrics epochs sizeChanges error createdAt startedAt finishedAt dataSnapshot { id eventWatermark } modelVersions { id name version } } }`,
    { id: props.id },
    finished ? {} : { pollMs: POLL_MS * 2 },
  );
  const run = query.data?.trainingRun;
  // A queued or running training appends an epoch at a time: follow it until it ends.
  useEffect(() => setFinished(run ? !UNFINISHED.has(run.status) : false), [run?.status]);
  const charts = useMemo(() => (run ? epochCharts(run.epochs) : undefined), [run]);
  return (
    <section>
      <p><a href={href('runs')}>Runs</a> /</p>
      <h1>Training run #{props.id}</h1>
      <Status loading={query.loading && !query.data} error={query.error}>
        {query.data && !run && <p className="error">No training run {props.id}.</p>}
        {run && charts && (
          <div data-testid="training-run">
            <p>
              <Badge status={run.status} /> seed {run.seed}, backend {run.backend ?? '-'}, code {run.codeVersion} · {run.epochs.length} epochs in {formatDuration(run.startedAt, run.finishedAt)} ·{' '}
              models: {run.modelVersions.map((m) => `${m.name} v${m.version}`).join(', ') || '-'} · data snapshot {run.dataSnapshot?.id ?? '-'} · <a href={href('lineage', [], { kind: 'TRAINING_RUN', id: run.id })}>lineage</a>
            </p>
            {run.error && <p className="error">{run.error}</p>}
            <div className="charts">
              <Chart testId="loss-chart" title="Loss per epoch" xLabel="epoch" x={charts.x} series={charts.losses} />
              {charts.metrics.length > 0 && <Chart testId="metric-chart" title="Validation metrics per epoch" xLabel="epoch" x={charts.x} series={charts.metrics} />}
              <Chart testId="learning-rate-chart" title="Learning rate (adaptive schedule)" xLabel="epoch" x={charts.x} series={charts.learningRate} />
              <Chart testId="magnitude-chart" title="Synthetic feature magnitude" xLabel="epoch" x={charts.x} series={charts.magnitude} />
              <Chart testId="size-chart" title="Parameters (companion size)" xLabel="epoch" x={charts.x} series={charts.parameters} />
            </div>
            <h2>Companion size changes</h2>
            {run.sizeChanges.length === 0 ? <p className="muted" data-testid="size-changes">No size changes.</p> : (
              <table data-testid="size-changes">
                <thead><tr>{Object.keys(run.sizeChanges[0]!).map((key) => <th key={key}>{key}</th>)}</tr></thead>
                <tbody>{run.sizeChanges.map((change, index) => <tr key={index}>{Object.keys(run.sizeChanges[0]!).map((key) => <td key={key}>{typeof change[key] === 'object' ? JSON.stringify(change[key]) : String(change[key] ?? '')}</td>)}</tr>)}</tbody>
              </table>
            )}
            <h2>Metrics</h2>
            <JsonView value={run.metrics} />
            <details><summary>Configuration</summary><JsonView value={run.config} /></details>
          </div>
        )}
      </Status>
    </section>
  );
}

/** Keys charted on their own, or not at all (time). */
const SCHEDULE_KEYS = new Set(['epoch', 'learningRate', 'syntheticMagnitude', 'parameters', 'seconds', 'examplesPerSecond']);

/** An epoch's numbers, nested objects flattened one level (`validation.auc`). */
function epochNumbers(epoch: Epoch): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const [key, value] of Object.entries(epoch)) {
    if (typeof value === 'number' && Number.isFinite(value)) numbers.set(key, value);
    else if (value && typeof value === 'object') {
      for (const [inner, innerValue] of Object.entries(value)) if (typeof innerValue === 'number' && Number.isFinite(innerValue)) numbers.set(`${key}.${inner}`, innerValue);
    }
  }
  return numbers;
}

function epochCharts(epochs: readonly Epoch[]) {
  const rows = epochs.map(epochNumbers);
  const x = rows.map((row, index) => row.get('epoch') ?? index + 1);
  const keys = [...new Set(rows.flatMap((row) => [...row.keys()]))].filter((key) => !SCHEDULE_KEYS.has(key));
  const series = (key: string, label: string, color: string): ChartSeries => ({ label, values: rows.map((row) => row.get(key) ?? null), color });
  const lossKeys = keys.filter((key) => /loss/i.test(key));
  return {
    x,
    losses: lossKeys.map((key, index) => series(key, key, PALETTE[index % PALETTE.length]!)),
    metrics: keys.filter((key) => !lossKeys.includes(key)).map((key, index) => series(key, key, PALETTE[(index + 2) % PALETTE.length]!)),
    learningRate: [series('learningRate', 'learning rate', PALETTE[3]!)],
    magnitude: [series('syntheticMagnitude', 'mean |synthetic|', PALETTE[4]!)],
    parameters: [series('parameters', 'parameters', PALETTE[5]!)],
  };
}
