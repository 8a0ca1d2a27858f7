import { FeatureStoreError } from '../../store/featureSets/errors.ts';

/** A scoring request the store cannot answer as asked: unknown entities, nothing materialized yet. */
export class ServingError extends FeatureStoreError {
  override name = 'ServingError';
}
