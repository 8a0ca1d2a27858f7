/** The executable schema: schema.graphql (the contract) with the resolvers of each area. */
import fs from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { apiKeyResolvers } from './resolvers/apiKeys.ts';
import { entityResolvers } from './resolvers/entities.ts';
import { enumResolvers } from './resolvers/enums.ts';
import { featureSetResolvers } from './resolvers/featureSets.ts';
import { ingestResolvers } from './resolvers/ingest.ts';
import { jobResolvers } from './resolvers/jobs.ts';
import { lineageResolvers } from './resolvers/lineage.ts';
import { modelResolvers } from './resolvers/models.ts';
import { DateTime, JSONScalar } from './resolvers/scalars.ts';
import { scheduleResolvers } from './resolvers/schedules.ts';
import { scoringResolvers } from './resolvers/scoring.ts';

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: fs.readFileSync(SCHEMA_FILE, 'utf8'),
    resolvers: [
      { DateTime, JSON: JSONScalar },
      enumResolvers,
      apiKeyResolvers,
      entityResolvers,
      featureSetResolvers,
      scoringResolvers,
      modelResolvers,
      jobResolvers,
      lineageResolvers,
      scheduleResolvers,
      ingestResolvers,
    ],
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
