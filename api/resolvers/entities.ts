/** Users, items, their events and embeddings. */
import type { ApiContext } from '../context.ts';
import { requireScope } from '../context.ts';
import { recordFields } from '../entityRefs.ts';
import { BadInputError } from '../errors.ts';
import type { EntityRecord } from '../loaders.ts';
import { readEntityEvents, type EntityEventRow } from '../../store/sql/readEntityEvents.ts';
import { checkCount, MAX_IDS, pageSize } from './limits.ts';

const cursorOf = (row: EntityEventRow) => Buffer.from(`event:${row.rowId}`).toString('base64url');

function parseCursor(after: string | null | undefined): number | null {
  if (after === null || after === undefined) return null;
  const match = /^event:(\d+)$/.exec(Buffer.from(after, 'base64url').toString());
  if (!match) throw new BadInputError(`after: not a cursor this API gave out: ${JSON.stringify(after)}`, { argument: 'after' });
  return Number(match[1]);
}

async function events(entity: EntityRecord, args: { first: number; after?: string | null }, context: ApiContext) {
  const page = await readEntityEvents(context.db.sql, entity.entityType, entity.id, pageSize('first', args.first), parseCursor(args.after));
  return {
    edges: page.rows.map((row) => ({ cursor: cursorOf(row), node: row })),
    pageInfo: { hasNextPage: page.hasMore, endCursor: page.rows.length > 0 ? cursorOf(page.rows.at(-1)!) : null },
  };
}

export const entityResolvers = {
  Query: {
    user: (_: unknown, args: { id: string }, context: ApiContext) => (requireScope(context, 'read'), context.loaders.user.load(args.id)),
    item: (_: unknown, args: { id: string }, context: ApiContext) => (requireScope(context, 'read'), context.loaders.item.load(args.id)),
    users: (_: unknown, args: { ids: string[] }, context: ApiContext) => {
      requireScope(context, 'read');
      checkCount('ids', args.ids.length, MAX_IDS);
      return context.loaders.user.loadMany(args.ids);
    },
    items: (_: unknown, args: { ids: string[] }, context: ApiContext) => {
      requireScope(context, 'read');
      checkCount('ids', args.ids.length, MAX_IDS);
      return context.loaders.item.loadMany(args.ids);
    },
  },
  User: {
    ...recordFields,
    events,
    embeddings: (user: EntityRecord, _: unknown, context: ApiContext) => context.loaders.userEmbeddings.load(user.id),
  },
  Item: {
    ...recordFields,
    events,
    embeddings: (item: EntityRecord, _: unknown, context: ApiContext) => context.loaders.itemEmbeddings.load(item.id),
  },
  Event: {
    user: (event: EntityEventRow, _: unknown, context: ApiContext) => context.loaders.user.load(event.userId),
    item: (event: EntityEventRow, _: unknown, context: ApiContext) => context.loaders.item.load(event.itemId),
  },
};
