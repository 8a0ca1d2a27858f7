import fs from 'node:fs';
import readline from 'node:readline';

export interface Line {
  /** 1-based line number, as editors show it. */
  readonly number: number;
  readonly text: string;
}

/** Reports bytes read, for progress bars over several files. */
export type ByteProgress = (bytes: number) => void;

/**
 * Streams a text file line by line without loading it whole. `latin1` is for MovieLens'
 * ISO-8859-1 files. Handles CRLF and a missing newline after the last line.
 */
export async function* readLines(
  file: string,
  encoding: 'utf8' | 'latin1' = 'utf8',
  onBytes?: ByteProgress,
): AsyncGenerator<Line> {
  const input = fs.createReadStream(file, { encoding, highWaterMark: 1 << 20 });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number++;
      onBytes?.((encoding === 'latin1' ? text.length : Buffer.byteLength(text)) + 1);
      yield { number, text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
