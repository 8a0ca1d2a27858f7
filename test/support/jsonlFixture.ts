import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type JsonlFiles = Partial<Record<'users' | 'items' | 'events' | 'embeddings', readonly (object | string)[]>> & {
  schema?: object;
};

/** Writes a JSONL data set into a fresh temporary directory; strings are written as raw lines. */
export function writeJsonlFixture(files: JsonlFiles): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthstore-jsonl-'));
  if (files.schema) fs.writeFileSync(path.join(dir, 'schema.json'), JSON.stringify(files.schema));
  for (const kind of ['users', 'items', 'events', 'embeddings'] as const) {
    const lines = files[kind];
    if (!lines) continue;
    const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
    fs.writeFileSync(path.join(dir, `${kind}.jsonl`), `${text}\n`);
  }
  return dir;
}

/** A small, valid data set: 3 users, 4 items, 5 events, image vectors for 2 items. */
export function smallDataSet(): JsonlFiles {
  return {
    schema: { item: { title: 'text', released: 'date' } },
    users: [
      { id: 'u1', metadata: { age: 31, country: 'DE' } },
      { id: 'u2', metadata: { age: 45, country: 'FR', premium: true } },
      { id: 'u3' },
    ],
    items: [
      { id: 'i1', metadata: { title: 'Trail running shoes', category: 'shoes', price: 120, tags: ['outdoor', 'running'], released: '2024-03-01' } },
      { id: 'i2', metadata: { title: 'Road running shoes', category: 'shoes', price: 99.5 } },
      { id: 'i3', metadata: { title: 'A jazz album', category: 'music' } },
      { id: 'i4', metadata: { category: 'music' } },
    ],
    events: [
      { user: 'u1', item: 'i1', type: 'click', timestamp: '2025-01-01T10:00:00Z' },
      { user: 'u1', item: 'i2', type: 'purchase', value: 1, timestamp: '2025-01-02T10:00:00Z', eventId: 'e-2' },
      { user: 'u2', item: 'i3', type: 'rating', value: 4.5, timestamp: 1735725600, context: { device: 'ios' } },
      { user: 'u2', item: 'i1', type: 'view', timestamp: '2025-01-03T10:00:00+01:00' },
      { user: 'u3', item: 'i4', type: 'view', timestamp: '2025-01-04T10:00:00Z' },
    ],
    embeddings: [
      { entity: 'item', id: 'i1', modality: 'image', model: 'clip-vit-b32', vector: [0.1, 0.2, 0.3, 0.4] },
      { entity: 'item', id: 'i2', modality: 'image', model: 'clip-vit-b32', vector: [0.4, 0.3, 0.2, 0.1] },
    ],
  };
}
