/**
 * Requests at a fixed arrival rate, evenly spaced (open loop): a request is sent when it is due,
 * whether or not earlier ones have been answered, so a slow answer delays no later request and a
 * queue in the server shows as latency. Latency runs from the send, not from the due time: the
 * 1 ms timer that paces the sends would otherwise add up to 1 ms to every request (p50 1.0 ms
 * against a bare server), a cost of this client, not of the server. autocannon's --overallRate is not that: each connection sends its share of the
 * second back to back when the second starts and then waits for the next (autocannon 9,
 * lib/httpClient.js `reqsMadeThisSecond`), so "1,000/s" arrives as one burst a second, and its
 * coordinated-omission correction then adds a sample per expected 1 ms interval to every slow
 * answer. A bare node:http server answering `{}` measured p99 8-25 ms that way at 1,000/s on this
 * machine, and 0-1 ms at saturation.
 */
import http from 'node:http';

export interface OpenLoopOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** The body of the i-th request (POST). */
  readonly body?: (i: number) => string;
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive connections; requests due while all are busy wait for one (and that wait counts). */
  readonly connections: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Answered requests per second of the run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
}

export async function openLoopLoad(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; next < total && start + (next * 1000) / options.rate <= now; next++) {
        const sentAt = performance.now();
        pending.push(send(agent, options, next).then(
          (status) => {
            latencies.push(performance.now() - sentAt);
            if (status < 200 || status >= 300) non2xx++;
          },
          () => void errors++,
        ));
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length === 0 ? Number.NaN : round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!));
  return { sent: total, rps: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), errors, non2xx };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function send(agent: http.Agent, options: OpenLoopOptions, i: number): Promise<number> {
  const body = options.body?.(i);
  return new Promise((resolve, reject) => {
    const request = http.request(options.url, { method: options.method, agent, headers: { ...options.headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) } }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
