/**
 * Iterates an async source one element ahead: the next element is requested as soon as the
 * current one is handed out, so that reading page N+1 (a query the database works on, on a
 * server in another process) overlaps computing and writing page N (the companion forward pass
 * runs in this process). Same elements, same order; an error of the source surfaces when the
 * element it belongs to is reached, never as an unhandled rejection while the consumer works.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = requestNext(iterator);
  let finished = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        finished = true;
        return;
      }
      next = requestNext(iterator);
      yield result.value;
    }
  } finally {
    // The consumer stopped early (or failed): let the source release what it holds.
    if (!finished) await next.then(() => iterator.return?.(), () => undefined);
  }
}

function requestNext<T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T>> {
  const promise = iterator.next();
  promise.catch(() => undefined); // handled where it is awaited
  return promise;
}
