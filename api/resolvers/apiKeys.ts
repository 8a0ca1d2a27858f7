/** The caller, and API key management (ADMIN). */
import { createApiKey, listApiKeys, revokeApiKey, type ApiScope } from '../../store/apiKeys.ts';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';

export const apiKeyResolvers = {
  Query: {
    viewer: (_: unknown, __: unknown, context: ApiContext) => ({ team: context.viewer.team, scopes: context.viewer.scopes, keyPrefix: context.viewer.prefix }),
    apiKeys: (_: unknown, __: unknown, context: ApiContext) => (requireScope(context, 'admin'), listApiKeys(context.db)),
  },
  Mutation: {
    createApiKey: async (_: unknown, args: { team: string; scopes: ApiScope[] }, context: ApiContext) => {
      requireScope(context, 'admin');
      const { key, record } = await createApiKey(context.db, args.team, args.scopes);
      return { apiKey: record, secret: key };
    },
    revokeApiKey: async (_: unknown, args: { prefix: string }, context: ApiContext) => {
      requireScope(context, 'admin');
      const revoked = await revokeApiKey(context.db, args.prefix);
      context.authenticator.forget();
      return revoked;
    },
  },
};
