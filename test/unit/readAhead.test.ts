import { describe, expect, it } from 'vitest';
import { readAhead } from '../../jobs/materialize/readAhead.ts';

describe('readAhead', () => {
  it('yields the same elements in order and has requested the next one when the consumer gets one', async () => {
    const requested: number[] = [];
    async function* pages() {
      for (let page = 0; page < 4; page++) {
        requested.push(page);
        yield page;
      }
    }
    const seen: Array<{ page: number; requestedSoFar: number }> = [];
    for await (const page of readAhead(pages())) {
      await Promise.resolve();
      await Promise.resolve();
      seen.push({ page, requestedSoFar: requested.length });
    }
    expect(seen.map((entry) => entry.page)).toEqual([0, 1, 2, 3]);
    // While page 0 is being handled, page 1 has been asked for already.
    expect(seen[0]!.requestedSoFar).toBe(2);
  });

  it('raises a source error at the element it belongs to, and not before', async () => {
    async function* failing() {
      yield 1;
      throw new Error('page 2 failed');
    }
    const seen: number[] = [];
    const consume = async () => {
      for await (const page of readAhead(failing())) {
        await new Promise((resolve) => setTimeout(resolve, 5)); // the failure happens meanwhile
        seen.push(page);
      }
    };
    await expect(consume()).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* pages() {
      try {
        for (let page = 0; ; page++) yield page;
      } finally {
        closed = true;
      }
    }
    for await (const page of readAhead(pages())) {
      if (page === 1) break;
    }
    expect(closed).toBe(true);
  });
});
