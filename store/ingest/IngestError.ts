import type { RecordOrigin } from './records.ts';

/**
 * A record that cannot be ingested. The message names where it came from (file and line, or
 * batch index) and the field, e.g. `events.jsonl:3: field "value": expected a finite number`.
 */
export class IngestError extends Error {
  override name = 'IngestError';
  readonly origin: RecordOrigin;
  readonly field: string | undefined;
  readonly reason: string;

  constructor(origin: RecordOrigin, field: string | undefined, reason: string, options?: ErrorOptions) {
    super(`${describeOrigin(origin)}: ${field ? `field "${field}": ` : ''}${reason}`, options);
    this.origin = origin;
    this.field = field;
    this.reason = reason;
  }
}

export function describeOrigin(origin: RecordOrigin): string {
  return 'file' in origin ? `${origin.file}:${origin.line}` : `${origin.batch}[${origin.index}]`;
}
