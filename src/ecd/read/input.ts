import { EcdReadError, positionAt, type EcdRecord } from './types';
import { Utf8StreamDecoder } from './utf8';

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
        // Failing to open the file is about the file as a whole; failing later, about how far it got.
        const at = chunks === 0 ? undefined : line();
        throw new EcdReadError(
          'ERR_ECD_IO',
          `cannot read${at === undefined ? '' : ` past line ${at}`}: ${err instanceof Error ? err.message : String(err)}`,
          positionAt(file, at),
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

/** What a reader does with the text of one file: both the JSON and the CSV reader are one of these. */
export interface TextReader {
  /** The line reached so far, for errors of the source. */
  readonly line: number;
  /** Parses the next piece of text; records it completes wait in `take`. */
  write(text: string): void;
  /** The text has ended: finishes the last record, or says why the file is incomplete. */
  end(): void;
  /** The records completed since the last call. */
  take(): EcdRecord[];
  /** The error for invalid UTF-8 right after the text written so far. */
  invalidUtf8(): EcdReadError;
}

/**
 * Decodes a file's bytes strictly and feeds them to its reader, yielding a batch of records per chunk.
 * Records completed before a failure still go out first: the consumer's error report then shows how
 * far the file was good.
 */
export async function* readText(
  source: ChunkSource,
  file: string,
  reader: TextReader,
  wrapErrors: boolean,
): AsyncGenerator<EcdRecord[]> {
  const decoder = new Utf8StreamDecoder();
  for await (const chunk of guardReads(source, file, () => reader.line, wrapErrors)) {
    let failure: { error: unknown } | undefined;
    try {
      const decoded = decoder.decode(asBytes(chunk));
      reader.write(decoded.text);
      if (decoded.invalid) throw reader.invalidUtf8();
    } catch (error) {
      failure = { error };
    }
    const batch = reader.take();
    if (batch.length > 0) yield batch;
    if (failure !== undefined) throw failure.error;
  }
  const rest = decoder.finish();
  reader.write(rest.text);
  // A character cut off at the very end is a truncated file when the export is unfinished anyway.
  reader.end();
  if (rest.invalid) throw reader.invalidUtf8();
  yield reader.take();
}

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
