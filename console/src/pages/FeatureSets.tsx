/**
 * Feature sets: the list; one set's versions (status, rows, dates); one version's statistics and
 * its drift against the previous version (from `statistics`), with a deprecate action for ADMIN
 * keys.
 */
import { useState } from 'react';
import { gql, toApiError, useQuery, type ApiError } from '../api.ts';
import { Chart, PALETTE } from '../charts/Chart.tsx';
import { Badge, formatDate, formatNumber, JsonView, Status } from '../components.tsx';
import { href } from '../route.ts';

interface VersionRow {
  id: string;
  version: number;
  status: string;
  rowCount: number;
  createdAt: string;
  publishedAt: string | null;
  deprecatedAt: string | null;
  statistics: Statistics | null;
  modelVersion: { name: string; version: number } | null;
}

interface Statistics {
  rowCount?: number;
  features?: Record<string, Record<string, unknown> & { type?: string; meanVector?: number[] | null }>;
  drift?: Drift | null;
}

interface Drift {
  againstVersion: number;
  commonEntities: number;
  meanCosineSimilarity: number | null;
  meanCosineShift: number | null;
  centroidCosineShift: number | null;
  meanNormShift: number | null;
  psi: { value: number; edges: number[]; expected: number[]; actual: number[] } | null;
}

const LIST = `{ featureSets { name entityType kind owner description tags latestVersion { version rowCount publishedAt } versions { version } } }`;
const ONE = `query($name: ID!) { featureSet(name: $name) {
  name entityType kind owner description tags ttlSeconds source features { name type dimension }
  versions { id version status rowCount createdAt publishedAt deprecatedAt statistics modelVersion { name version } }
} viewer { scopes } }`;

export function FeatureSetsPage(props: { name: string | undefined; version: number | undefined }) {
  if (props.name) return <FeatureSetPage name={props.name} selected={props.version} />;
  return <FeatureSetList />;
}

function FeatureSetList() {
  const list = useQuery<{ featureSets: { name: string; entityType: string; kind: string; owner: string; description: string; tags: string[]; latestVersion: { version: number; rowCount: number; publishedAt: string } | null; versions: { version: number }[] }[] }>(LIST);
  return (
    <section>
      <h1>Feature sets</h1>
      <Status loading={list.loading && !list.data} error={list.error}>
        <table data-testid="feature-set-list">
          <thead><tr><th>Name</th><th>Entity</th><th>Kind</th><th>Owner</th><th>Latest</th><th>Rows</th><th>Versions</th><th>Description</th></tr></thead>
          <tbody>
            {list.data?.featureSets.map((set) => (
              <tr key={set.name}>
                <td><a href={href('feature-sets', [set.name])}>{set.name}</a></td>
                <td>{set.entityType}</td>
                <td>{set.kind}</td>
                <td>{set.owner}</td>
                <td>{set.latestVersion ? `v${set.latestVersion.version}` : '-'}</td>
                <td>{formatNumber(set.latestVersion?.rowCount)}</td>
                <td>{set.versions.length}</td>
                <td>{set.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data?.featureSets.length === 0 && <p className="muted">No feature sets yet.</p>}
      </Status>
    </section>
  );
}

function FeatureSetPage(props: { name: string; selected: number | undefined }) {
  const one = useQuery<{ featureSet: { name: string; entityType: string; kind: string; owner: string; description: string; tags: string[]; ttlSeconds: number | null; source: unknown; features: { name: string; type: string; dimension: number | null }[]; versions: VersionRow[] } | null; viewer: { scopes: string[] } }>(ONE, { name: props.name });
  const set = one.data?.featureSet;
  const versions = set?.versions ?? [];
  const selected = versions.find((v) => v.version === props.selected) ?? [...versions].reverse().find((v) => v.status === 'PUBLISHED') ?? versions.at(-1);
  const isAdmin = one.data?.viewer.scopes.includes('ADMIN') ?? false;
  return (
    <section>
      <p><a href={href('feature-sets')}>Feature sets</a> /</p>
      <h1 data-testid="feature-set-name">{props.name}</h1>
      <Status loading={one.loading && !one.data} error={one.error}>
        {one.data && !set && <p className="error">No feature set named {props.name}.</p>}
        {set && (
          <>
            <p>{set.description}</p>
            <dl className="facts">
              <dt>Entity</dt><dd>{set.entityType}</dd>
              <dt>Kind</dt><dd>{set.kind}</dd>
              <dt>Owner</dt><dd>{set.owner}</dd>
              <dt>TTL</dt><dd>{set.ttlSeconds === null ? 'none' : `${set.ttlSeconds} s`}</dd>
              <dt>Tags</dt><dd>{set.tags.join(', ') || '-'}</dd>
              <dt>Features</dt><dd>{set.features.map((f) => `${f.name} (${f.type}${f.dimension ? `, ${f.dimension}` : ''})`).join(', ')}</dd>
            </dl>
            <h2>Versions</h2>
            <table data-testid="version-table">
              <thead><tr><th>Version</th><th>Status</th><th>Rows</th><th>Model</th><th>Created</th><th>Published</th><th>Deprecated</th><th>Drift (PSI)</th><th /></tr></thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} className={v === selected ? 'selected' : ''} data-testid={`version-row-${v.version}`}>
                    <td><a href={href('feature-sets', [set.name], { version: v.version })}>v{v.version}</a></td>
                    <td><Badge status={v.status} /></td>
                    <td>{formatNumber(v.rowCount)}</td>
                    <td>{v.modelVersion ? `${v.modelVersion.name} v${v.modelVersion.version}` : '-'}</td>
                    <td>{formatDate(v.createdAt)}</td>
                    <td>{formatDate(v.publishedAt)}</td>
                    <td>{formatDate(v.deprecatedAt)}</td>
                    <td>{formatNumber(v.statistics?.drift?.psi?.value)}</td>
                    <td>
                      <a href={href('lineage', [], { kind: 'FEATURE_SET_VERSION', id: v.id })}>lineage</a>
                      {isAdmin && v.status === 'PUBLISHED' && <DeprecateButton featureSet={set.name} version={v.version} onDone={one.reload} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {selected && <VersionDetail version={selected} previous={previousPublished(versions, selected)} />}
          </>
        )}
      </Status>
    </section>
  );
}

function previousPublished(versions: readonly VersionRow[], of: VersionRow): VersionRow | undefined {
  const againstVersion = of.statistics?.drift?.againstVersion;
  if (againstVersion !== undefined) return versions.find((v) => v.version === againstVersion);
  return [...versions].reverse().find((v) => v.version < of.version && v.status !== 'FAILED' && v.status !== 'PENDING');
}

function DeprecateButton(props: { featureSet: string; version: number; onDone(): void }) {
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const deprecate = async () => {
    if (!confirm(`Deprecate ${props.featureSet} v${props.version}? It stays readable by number but is never served as latest.`)) return;
    setBusy(true);
    try {
      await gql(`mutation($set: ID!, $version: Int!) { deprecateFeatureSetVersion(featureSet: $set, version: $version) { status } }`, { set: props.featureSet, version: props.version });
      props.onDone();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {' '}<button type="button" disabled={busy} onClick={() => void deprecate()} data-testid={`deprecate-${props.version}`}>Deprecate</button>
      {error && <span className="error"> {error.message}</span>}
    </>
  );
}

function VersionDetail(props: { version: VersionRow; previous: VersionRow | undefined }) {
  const { version, previous } = props;
  const statistics = version.statistics;
  const features = Object.entries(statistics?.features ?? {});
  const drift = statistics?.drift;
  const vectorName = features.find(([, s]) => s.type === 'vector')?.[0];
  const meanVector = vectorName ? statistics?.features?.[vectorName]?.meanVector : undefined;
  const previousMean = vectorName ? previous?.statistics?.features?.[vectorName]?.meanVector : undefined;
  return (
    <div data-testid="version-detail">
      <h2>v{version.version}: statistics</h2>
      {!statistics && <p className="muted">No statistics (the version was not published).</p>}
      {features.length > 0 && (
        <table>
          <thead><tr><th>Feature</th><th>Type</th><th>Count</th><th>Null rate</th><th>Mean</th><th>Std</th><th>Min</th><th>Max</th><th>Distinct</th></tr></thead>
          <tbody>
            {features.map(([name, s]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>{String(s.type)}{s.type === 'vector' ? ` (${String(s.dimension)})` : ''}</td>
                <td>{formatNumber(s.count as number)}</td>
                <td>{formatNumber(s.nullRate as number | null)}</td>
                <td>{formatNumber((s.mean ?? s.meanNorm) as number | null)}</td>
                <td>{formatNumber((s.std ?? s.stdNorm) as number | null)}</td>
                <td>{formatNumber((s.min ?? s.minNorm) as number | null)}</td>
                <td>{formatNumber((s.max ?? s.maxNorm) as number | null)}</td>
                <td>{formatNumber(s.distinct as number | undefined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Drift against the previous version</h2>
      {!previous && <p className="muted" data-testid="no-drift">No previous version to compare with.</p>}
      {previous && (
        <div data-testid="drift">
          <p>
            Against v{previous.version}
            {drift && <>: {formatNumber(drift.commonEntities)} entities in both; mean cosine shift {formatNumber(drift.meanCosineShift)}, centroid cosine shift {formatNumber(drift.centroidCosineShift)}, mean norm shift {formatNumber(drift.meanNormShift)}, PSI {formatNumber(drift.psi?.value)} ({psiVerdict(drift.psi?.value)})</>}
          </p>
          <div className="charts">
            {drift?.psi && (
              <Chart
                testId="drift-chart"
                title={`Vector norm distribution, PSI ${formatNumber(drift.psi.value)}`}
                xLabel="norm bin (previous version's deciles)"
                bars
                x={drift.psi.expected.map((_, index) => index)}
                categories={drift.psi.expected.map((_, index) => `${index + 1}`)}
                series={[
                  { label: `v${previous.version}`, values: drift.psi.expected, color: PALETTE[0]! },
                  { label: `v${version.version}`, values: drift.psi.actual, color: PALETTE[1]! },
                ]}
              />
            )}
            {meanVector && previousMean && meanVector.length === previousMean.length && (
              <Chart
                testId="mean-vector-chart"
                title="Mean of each dimension"
                xLabel="dimension"
                x={meanVector.map((_, index) => index)}
                series={[
                  { label: `v${previous.version}`, values: previousMean, color: PALETTE[0]! },
                  { label: `v${version.version}`, values: meanVector, color: PALETTE[1]! },
                ]}
              />
            )}
          </div>
        </div>
      )}
      <details>
        <summary>Raw statistics</summary>
        <JsonView value={statistics} />
      </details>
    </div>
  );
}

function psiVerdict(psi: number | undefined): string {
  if (psi === undefined) return 'no PSI';
  if (psi < 0.1) return 'stable';
  if (psi < 0.25) return 'moderate shift';
  return 'large shift';
}
