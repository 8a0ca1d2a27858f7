/**
 * The console's one way to the store: POST /graphql with the session's API key as a bearer
 * token. GraphQL errors become ApiError with the stable `extensions.code`; an UNAUTHENTICATED
 * answer signs the tab out (the key was revoked or mistyped).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { clearApiKey, readApiKey } from './session.ts';

export const GRAPHQL_URL = new URL('../graphql', new URL(import.meta.env.BASE_URL, location.href)).pathname;

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const signOutListeners = new Set<Listener>();

/** Called when the server refuses the key. */
export function onSignedOut(listener: Listener): () => void {
  signOutListeners.add(listener);
  return () => signOutListeners.delete(listener);
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, key = readApiKey()): Promise<T> {
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`the API answered ${response.status} ${response.statusText}`, 'INTERNAL_SERVER_ERROR');
  }
  const [first] = body.errors ?? [];
  if (first) {
    const code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED' && key === readApiKey()) {
      clearApiKey();
      for (const listener of signOutListeners) listener();
    }
    throw new ApiError(first.message, code);
  }
  if (!body.data) throw new ApiError('the API answered without data', 'INTERNAL_SERVER_ERROR');
  return body.data;
}

export interface QueryState<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `query` when its variables change and, with `pollMs`, again every pollMs while mounted
 * (the previous data stays on screen while a poll is in flight).
 */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, options: { pollMs?: number; skip?: boolean } = {}): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: !options.skip });
  const [tick, setTick] = useState(0);
  const serialized = JSON.stringify(variables);
  const generation = useRef(0);
  useEffect(() => {
    if (options.skip) return;
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    gql<T>(query, JSON.parse(serialized) as Record<string, unknown>).then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) => mine === generation.current && setState((previous) => ({ ...previous, error: toApiError(error), loading: false })),
    );
  }, [query, serialized, tick, options.skip]);
  useEffect(() => {
    if (!options.pollMs || options.skip) return;
    const timer = setInterval(() => setTick((value) => value + 1), options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, options.skip]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : String(error), 'INTERNAL_SERVER_ERROR');
}
