import type { Database } from '../db/Database.ts';

export interface DataSnapshot {
  readonly id: number;
  readonly rowCounts: { users: number; items: number; events: number; embeddings: number };
  readonly eventWatermark: Date | null;
}

/**
 * Records what the store held when a training run read it: row counts and the time of the
 * newest event, so that the run can be reproduced on data up to that watermark.
 */
export async function takeDataSnapshot(db: Database): Promise<DataSnapshot> {
  const [row] = await db.sql.query<{ users: number; items: number; events: number; embeddings: number; watermark: Date | string | null }>(
    `SELECT (SELECT count(*)::int FROM app_user) AS users,
            (SELECT count(*)::int FROM item) AS items,
            (SELECT count(*)::int FROM event) AS events,
            (SELECT count(*)::int FROM embedding) AS embeddings,
            (SELECT max(occurred_at) FROM event) AS watermark`,
  );
  const { watermark, ...rowCounts } = row!;
  const eventWatermark = watermark === null ? null : new Date(watermark);
  const snapshot = await db.prisma.dataSnapshot.create({ data: { rowCounts, eventWatermark } });
  return { id: snapshot.id, rowCounts, eventWatermark };
}
