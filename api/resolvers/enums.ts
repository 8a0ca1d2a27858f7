/**
 * GraphQL enums are UPPER_CASE; the store's values are lower_case. These maps convert both ways
 * at the schema boundary, so resolvers deal in the store's values only.
 */
export const enumResolvers = {
  EntityType: { USER: 'user', ITEM: 'item' },
  FeatureSetKind: { RAW: 'raw', EMBEDDING: 'embedding', SYNTHESIZED: 'synthesized' },
  VersionStatus: { PENDING: 'pending', PUBLISHED: 'published', DEPRECATED: 'deprecated', FAILED: 'failed' },
  RunStatus: { QUEUED: 'queued', RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed', CANCELLED: 'cancelled' },
  MaterializationMode: { FULL: 'full', INCREMENTAL: 'incremental' },
  FeatureSource: { MATERIALIZED: 'materialized', COMPUTED: 'computed' },
  FeatureValueStatus: { OK: 'ok', STALE: 'stale', MISSING: 'missing' },
  FieldType: { NUMERIC: 'numeric', CATEGORICAL: 'categorical', TEXT: 'text', TAGS: 'tags', BOOLEAN: 'boolean', DATE: 'date' },
  ApiScope: { READ: 'read', INGEST: 'ingest', ADMIN: 'admin' },
  LineageKind: {
    DATA_SNAPSHOT: 'data_snapshot', TRAINING_RUN: 'training_run', MODEL_VERSION: 'model_version',
    MATERIALIZATION_RUN: 'materialization_run', FEATURE_SET_VERSION: 'feature_set_version',
  },
  LineageDirection: { UPSTREAM: 'upstream', DOWNSTREAM: 'downstream' },
  ScheduledTask: { TRAIN: 'train', MATERIALIZE: 'materialize' },
};
