/**
 * What `synthstore feature-sets --json` prints: every feature set with its versions. Plain JSON
 * (dates as ISO strings, absent values as null), ordered by feature set name and version number.
 */
import type { Database } from '../db/Database.ts';
import type { FeatureSpec, FeatureSetKind, FeatureSetSource } from './FeatureSetDefinition.ts';
import type { VersionStatus } from './versions.ts';

export interface FeatureSetVersionListing {
  readonly version: number;
  readonly status: VersionStatus;
  /** Rows at publication (a delta version's merged with its row base's); for a pending version, the rows written so far. */
  readonly rowCount: number;
  /** The model version that synthesized it (synthesized sets), else null. */
  readonly modelVersion: { readonly id: number; readonly name: string; readonly version: number } | null;
  readonly createdAt: string;
  readonly publishedAt: string | null;
  readonly deprecatedAt: string | null;
}

export interface FeatureSetListing {
  readonly name: string;
  readonly entityType: 'user' | 'item';
  readonly kind: FeatureSetKind;
  readonly owner: string;
  readonly description: string;
  readonly tags: string[];
  readonly ttlSeconds: number | null;
  readonly source: FeatureSetSource;
  /** The schema the next version will use (each version's own is in feature_set_version.schema). */
  readonly features: FeatureSpec[];
  /** The version "latest" reads serve: the highest published one, or null. */
  readonly latestVersion: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly versions: FeatureSetVersionListing[];
}

export async function listFeatureSets(db: Pick<Database, 'prisma'>): Promise<FeatureSetListing[]> {
  const featureSets = await db.prisma.featureSet.findMany({
    orderBy: { name: 'asc' },
    include: {
      versions: {
        orderBy: { version: 'asc' },
        include: { modelVersion: { select: { id: true, name: true, version: true } } },
      },
    },
  });
  const pendingIds = featureSets.flatMap((featureSet) => featureSet.versions.filter((version) => version.status === 'pending').map((version) => version.id));
  const pendingCounts = new Map<number, number>();
  if (pendingIds.length > 0) {
    const counts = await db.prisma.featureValue.groupBy({ by: ['versionId'], where: { versionId: { in: pendingIds } }, _count: { _all: true } });
    for (const count of counts) pendingCounts.set(count.versionId, count._count._all);
  }
  return featureSets.map((featureSet) => ({
    name: featureSet.name,
    entityType: featureSet.entityType,
    kind: featureSet.kind,
    owner: featureSet.owner,
    description: featureSet.description,
    tags: featureSet.tags,
    ttlSeconds: featureSet.ttlSeconds,
    source: featureSet.source as unknown as FeatureSetSource,
    features: featureSet.features as unknown as FeatureSpec[],
    latestVersion: featureSet.versions.filter((version) => version.status === 'published').at(-1)?.version ?? null,
    createdAt: featureSet.createdAt.toISOString(),
    updatedAt: featureSet.updatedAt.toISOString(),
    versions: featureSet.versions.map((version) => ({
      version: version.version,
      status: version.status,
      rowCount: version.status === 'pending' ? (pendingCounts.get(version.id) ?? 0) : version.rowCount,
      modelVersion: version.modelVersion,
      createdAt: version.createdAt.toISOString(),
      publishedAt: version.publishedAt?.toISOString() ?? null,
      deprecatedAt: version.deprecatedAt?.toISOString() ?? null,
    })),
  }));
}
