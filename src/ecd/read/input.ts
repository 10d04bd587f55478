import { EcdReadError, type EcdRecord } from './types';

/** A byte source: a file stream, a request body, or (in tests and for text already in memory) an array. */
export type ChunkSource = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/**
 * Passes chunks through, and with `wrapErrors` turns a failure of the source (a missing file, a read
 * error) into an ERR_ECD_IO error with a position. Without it the source's errors pass unchanged: a
 * caller handing over its own stream (a request body behind a size limit) knows what they mean and
 * must be able to recognise them. The readers' own errors never go through here.
 */
export async function* guardReads(
  input: ChunkSource,
  file: string,
  line: () => number,
  wrapErrors: boolean,
): AsyncGenerator<Buffer | string> {
  const iterator: AsyncIterator<Buffer | string> | Iterator<Buffer | string> =
    Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
  let finished = false;
  let chunks = 0;
  try {
    for (;;) {
      let result: IteratorResult<Buffer | string>;
      try {
        result = await iterator.next();
      } catch (err) {
        finished = true;
        if (!wrapErrors || err instanceof EcdReadError) throw err;
        const at = chunks === 0 ? 0 : line();
        throw new EcdReadError(
          'ERR_ECD_IO',
          `cannot read${at === 0 ? '' : ` past line ${at}`}: ${err instanceof Error ? err.message : String(err)}`,
          { file, line: at },
        );
      }
      if (result.done === true) {
        finished = true;
        return;
      }
      chunks++;
      yield result.value;
    }
  } finally {
    // A consumer that stops early must not leave a file descriptor or a request socket behind.
    if (!finished) await iterator.return?.();
  }
}

/** Chunks may be strings (tests, callers holding text); the decoders work on bytes. */
export function asBytes(chunk: Buffer | Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** How large the reads from disk are: big enough to amortise the per-chunk cost, small enough to not matter. */
export const READ_CHUNK_BYTES = 64 * 1024;

/**
 * The readers work in batches (the records completed by one chunk) and flatten them only here, once:
 * every level of async generator a record passes through costs a round of promises, which at a few
 * hundred thousand small records is most of the reading time.
 */
export async function* flatten(batches: AsyncIterable<EcdRecord[]>): AsyncGenerator<EcdRecord> {
  for await (const batch of batches) {
    for (const record of batch) yield record;
  }
}
