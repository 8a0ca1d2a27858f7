/**
 * Serving reads of the feature store: online (one version, many entities, now) and point in
 * time (many (entity, timestamp) pairs, for training sets). Each call is ONE SQL statement
 * (see store/sql/readOnlineFeatures.ts and readPointInTime.ts); this module turns "not found"
 * outcomes into NOT_FOUND errors.
 */
import type { Database } from '../db/Database.ts';
import { readOnlineFeatures, type OnlineReadRequest, type OnlineReadResult } from '../sql/readOnlineFeatures.ts';
import { readPointInTime, type PointInTimeRequest, type PointInTimeRow } from '../sql/readPointInTime.ts';
import { FeatureSetNotFoundError, FeatureSetVersionNotFoundError } from './errors.ts';

/**
 * Values of one version ('latest' or pinned) for up to 10,000 entity keys, in request order,
 * with freshness (validFrom) and the feature set's TTL applied: a value whose validFrom is more
 * than ttlSeconds before `now` comes back with status 'stale' and null values and vector.
 */
export async function getOnlineFeatures(db: Pick<Database, 'sql'>, request: OnlineReadRequest): Promise<OnlineReadResult> {
  const outcome = await readOnlineFeatures(db.sql, request);
  if (outcome.found === 'no_feature_set') throw new FeatureSetNotFoundError(request.featureSet);
  if (outcome.found === 'no_version') throw versionNotFound(request.featureSet, request.version);
  return outcome.result;
}

/** For each (entity, timestamp), the value valid then and already published then (never a later one). */
export async function getPointInTimeFeatures(db: Pick<Database, 'sql'>, request: PointInTimeRequest): Promise<PointInTimeRow[]> {
  const outcome = await readPointInTime(db.sql, request);
  if (outcome.found === 'no_feature_set') throw new FeatureSetNotFoundError(request.featureSet);
  if (outcome.found === 'no_version') throw versionNotFound(request.featureSet, request.version ?? 'latest');
  return outcome.rows;
}

function versionNotFound(featureSet: string, version: 'latest' | number): FeatureSetVersionNotFoundError {
  return new FeatureSetVersionNotFoundError(
    version === 'latest'
      ? `feature set "${featureSet}" has no published version`
      : `feature set "${featureSet}" has no readable version ${version} (only published and deprecated versions are)`,
  );
}
