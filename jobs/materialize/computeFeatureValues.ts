/**
 * Turns a partition's entities into feature value rows, by feature set kind:
 * - raw: the source's metadata fields, each coerced to its feature type (a value of another type
 *   is missing, as an absent field is); valid from the metadata's update time.
 * - embedding: the modality vector; an entity without one gets no row.
 * - synthesized: the model version's companion output for the entity, in tf.tidy; valid from the
 *   latest update of the inputs.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '../../config.ts';
import { EntityTable } from '../../ml/data/EntityTable.ts';
import { loadTrainedModel, type LoadedModel } from '../../ml/store/modelArtifacts.ts';
import type { Database } from '../../store/db/Database.ts';
import { vectorFeature, type FeatureSpec, type FeatureSetKind, type VersionSchema } from '../../store/featureSets/FeatureSetDefinition.ts';
import type { EntityType } from '../../store/ingest/records.ts';
import type { PartitionEntity } from '../../store/sql/readPartitionEntities.ts';
import type { FeatureValueRow } from '../../store/sql/writeFeatureValues.ts';
import { ensureBackend } from '../ensureBackend.ts';
import { MaterializeError } from '../errors.ts';

export interface ValueComputer {
  /** Modality vectors to read (and whose updates are input changes). */
  readonly modalities: readonly string[];
  readonly metadataIsInput: boolean;
  /** Only entities with this modality's vector get a row (embedding sets). */
  readonly requiredModality: string | null;
  compute(entities: readonly PartitionEntity[]): FeatureValueRow[];
  dispose(): void;
}

export interface ComputerTarget {
  readonly kind: FeatureSetKind;
  readonly entityType: EntityType;
  readonly schema: VersionSchema;
  readonly modelVersionId: number | null;
}

/** Loaded once per run and worker; dispose it when the worker is done with the run. */
export async function createValueComputer(db: Database, target: ComputerTarget, backend: BackendPreference): Promise<ValueComputer> {
  const source = target.schema.source as Record<string, unknown>;
  switch (target.kind) {
    case 'raw':
      return rawComputer(target.schema.features, source.fields as readonly string[]);
    case 'embedding':
      return embeddingComputer(String(source.modality));
    case 'synthesized':
      return synthesizedComputer(db, target, backend);
    default: {
      const unknown: never = target.kind;
      throw new MaterializeError('BAD_USER_INPUT', `unknown feature set kind ${String(unknown)}: expected raw, embedding or synthesized`);
    }
  }
}

function rawComputer(features: readonly FeatureSpec[], fields: readonly string[]): ValueComputer {
  const valued = features.filter((feature) => feature.type !== 'vector' && fields.includes(feature.name));
  return {
    modalities: [],
    metadataIsInput: true,
    requiredModality: null,
    compute: (entities) =>
      entities.map((entity) => ({
        entityKey: entity.externalId,
        values: Object.fromEntries(valued.map((feature) => [feature.name, coerce(feature, entity.metadata[feature.name])])),
        validFrom: entity.metadataUpdatedAt,
      })),
    dispose: () => undefined,
  };
}

function coerce(feature: FeatureSpec, value: unknown): unknown {
  switch (feature.type) {
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'categorical':
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    case 'tags':
      return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : typeof value === 'string' ? [value] : null;
    default:
      return null;
  }
}

function embeddingComputer(modality: string): ValueComputer {
  return {
    modalities: [modality],
    metadataIsInput: false,
    requiredModality: modality,
    compute: (entities) =>
      entities.flatMap((entity) => {
        const vector = entity.vectors[modality];
        return vector ? [{ entityKey: entity.externalId, values: {}, vector: Array.from(vector), validFrom: entity.vectorsUpdatedAt[modality]! }] : [];
      }),
    dispose: () => undefined,
  };
}

async function synthesizedComputer(db: Database, target: ComputerTarget, backend: BackendPreference): Promise<ValueComputer> {
  if (target.modelVersionId === null) throw new MaterializeError('BAD_USER_INPUT', 'a synthesized version needs the model version that produces it');
  const stored = await db.prisma.modelVersion.findUnique({ where: { id: target.modelVersionId }, select: { name: true, version: true } });
  if (!stored) throw new MaterializeError('NOT_FOUND', `no model version with id ${target.modelVersionId}`);
  await ensureBackend(backend);
  const loaded: LoadedModel = await loadTrainedModel(db, stored.name, stored.version);
  const encoder = target.entityType === 'user' ? loaded.features.userEncoder : loaded.features.itemEncoder;
  const vector = vectorFeature(target.schema.features);
  const probe = tf.tidy(() => loaded.model.synthesize(target.entityType, encoder.encode([{ metadata: {} }])));
  const width = probe.shape[1];
  probe.dispose();
  if (!vector || vector.dimension !== width) {
    loaded.model.dispose();
    throw new MaterializeError('BAD_USER_INPUT', `model ${stored.name} v${stored.version} synthesizes ${width} features per ${target.entityType}; the feature set needs one vector feature of dimension ${width}, got ${vector ? vector.dimension : 'none'}`);
  }
  const modalities = encoder.schema.modalities.map((modality) => modality.name);
  return {
    modalities,
    metadataIsInput: true,
    requiredModality: null,
    compute(entities) {
      if (entities.length === 0) return [];
      const table = EntityTable.encode(encoder, entities);
      const output = tf.tidy(() => loaded.model.synthesize(target.entityType, table.inputs));
      const values = output.dataSync();
      output.dispose();
      return entities.map((entity, row) => {
        let validFrom = entity.metadataUpdatedAt;
        for (const at of Object.values(entity.vectorsUpdatedAt)) if (at > validFrom) validFrom = at;
        return { entityKey: entity.externalId, values: {}, vector: Array.from(values.subarray(row * width, (row + 1) * width)), validFrom };
      });
    },
    dispose: () => loaded.model.dispose(),
  };
}

