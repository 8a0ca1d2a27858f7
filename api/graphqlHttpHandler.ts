/**
 * The HTTP side of /graphql: reads the JSON body, hands the request to Apollo Server and writes
 * its answer, straight on Node's request and response.
 *
 * Why not Express with @as-integrations/express5: its router, body-parser's type checks, the
 * legacy url.parse of every URL and res.send's content negotiation are work a GraphQL POST does
 * not need (about a tenth of a features(1) request's server CPU at saturation: 0.28-0.31 against
 * 0.32-0.34 ms in alternating runs of bench/serve.ts). This is the same contract (Apollo's
 * "building an integration" interface) in one function; every other route stays on Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, type ContextFunction, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';

export interface GraphqlHttpHandlerOptions<TContext extends BaseContext> {
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly context: ContextFunction<[{ req: IncomingMessage }], TContext>;
}

export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** A request that cannot reach GraphQL: answered in GraphQL's error shape with an HTTP status. */
class HttpRequestError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function graphqlHttpHandler<TContext extends BaseContext>(apollo: ApolloServer<TContext>, options: GraphqlHttpHandlerOptions<TContext>): NodeRequestHandler {
  return (request, response) => {
    handle(apollo, options, request, response).catch((error: unknown) => {
      const failure = error instanceof HttpRequestError ? error : new HttpRequestError(500, 'INTERNAL_SERVER_ERROR', 'internal server error');
      writeError(response, failure);
    });
  };
}

async function handle<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  options: GraphqlHttpHandlerOptions<TContext>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const body = request.method === 'POST' ? parseBody(await readBody(request, options.maxBodyBytes), headers.get('content-type')) : undefined;
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method?.toUpperCase() ?? 'GET', headers, search: query < 0 ? '' : url.slice(query), body },
    context: () => options.context({ req: request }),
  });
  await writeAnswer(response, answer);
}

/** The body as text; refused beyond `limit` bytes without reading the rest into memory. */
async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limit: number): HttpRequestError {
  return new HttpRequestError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${Math.round(limit / 2 ** 20)} MB`);
}

/** JSON bodies are parsed; anything else goes to Apollo as text, which refuses it with its own message. */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (!/^application\/(.+\+)?json\b/i.test(contentType ?? '')) return text;
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpRequestError(400, 'BAD_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

async function writeAnswer(response: ServerResponse, answer: HTTPGraphQLResponse): Promise<void> {
  response.statusCode = answer.status ?? 200;
  for (const [key, value] of answer.headers) response.setHeader(key, value);
  if (answer.body.kind === 'complete') {
    response.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) response.write(chunk);
  response.end();
}

function writeError(response: ServerResponse, error: HttpRequestError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }));
}
