import { createHash } from 'node:crypto';
import type { EventRecord } from './records.ts';

/**
 * The identity of an event for deduplication: the client's event id when given, else a digest
 * of what the event says. Two events equal in user, item, type, time and value count as one.
 */
export function eventKeyOf(event: EventRecord): string {
  if (event.clientEventId !== undefined) return `id:${event.clientEventId}`;
  const content = JSON.stringify([event.userId, event.itemId, event.type, event.occurredAt.getTime(), event.value]);
  return `sha256:${createHash('sha256').update(content).digest('base64url')}`;
}
