import { describe, expect, it } from 'vitest';
import { eventKeyOf } from '../../store/ingest/eventKey.ts';

const event = { userId: 'u1', itemId: 'i1', type: 'click', value: 1, occurredAt: new Date('2025-01-01T00:00:00Z') };

describe('eventKeyOf', () => {
  it("uses the client's event id when there is one", () => {
    expect(eventKeyOf({ ...event, clientEventId: 'e-1' })).toBe('id:e-1');
    expect(eventKeyOf({ ...event, value: 5, clientEventId: 'e-1' })).toBe('id:e-1');
  });

  it('otherwise digests every field, so only identical events collide', () => {
    const key = eventKeyOf(event);
    expect(eventKeyOf({ ...event })).toBe(key);
    for (const change of [{ userId: 'u2' }, { itemId: 'i2' }, { type: 'view' }, { value: 2 }, { occurredAt: new Date('2025-01-01T00:00:01Z') }]) {
      expect(eventKeyOf({ ...event, ...change })).not.toBe(key);
    }
    // An id that looks like a digest cannot collide with one.
    expect(eventKeyOf({ ...event, clientEventId: key })).not.toBe(key);
  });
});
