import type { EntityType } from '../ingest/records.ts';

/** The table holding each entity type; `user` is reserved in SQL, hence app_user. */
export const ENTITY_TABLE: Record<EntityType, string> = { user: 'app_user', item: 'item' };

/** The foreign-key column that points at each entity type (embedding.user_id, ...). */
export const ENTITY_COLUMN: Record<EntityType, string> = { user: 'user_id', item: 'item_id' };
