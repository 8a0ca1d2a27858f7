/** A minimal GraphQL-over-HTTP client for the API tests. */
export interface GraphQLResponse<D = Record<string, any>> {
  readonly status: number;
  readonly data?: D | null;
  readonly errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export async function graphql<D = Record<string, any>>(url: string, key: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D | null; errors?: GraphQLResponse['errors'] };
  return { status: response.status, ...body };
}

/** The data of a response that must have succeeded; fails with the errors otherwise. */
export async function query<D = Record<string, any>>(url: string, key: string, text: string, variables: Record<string, unknown> = {}): Promise<D> {
  const response = await graphql<D>(url, key, text, variables);
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

export function errorCodes(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
