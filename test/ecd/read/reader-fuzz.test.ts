import fc from 'fast-check';
import { CSV_FILES } from '../../../src/ecd/read/csv-files';
import { csvFileBatches } from '../../../src/ecd/read/csv-reader';
import { readEcdJsonStream } from '../../../src/ecd/read';
import { EcdReadError, resolveLimits } from '../../../src/ecd/read/types';
import { SMALL_EXPORT_CSV, SMALL_EXPORT_JSON } from './fixtures';

/*
 * Both readers, whole, on broken versions of a real export cut into random chunks: whatever the bytes,
 * they end in records or in an EcdReadError, never in another exception (a TypeError would be a 500
 * that tells the ECD's operator nothing) and never in a hang.
 */

const mutation = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'truncate', 'duplicate'),
  at: fc.nat(),
  byte: fc.oneof(
    fc.constantFrom(...Buffer.from('{}[]",:;\\ \n\r\t0123456789eE+-.tfnu/x|')),
    fc.integer({ min: 0, max: 255 }),
  ),
  length: fc.integer({ min: 1, max: 40 }),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Buffer, edits: readonly Mutation[]): Buffer {
  let out = bytes;
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
    else if (edit.kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from([edit.byte]), out.subarray(at)]);
    else if (edit.kind === 'replace' && out.length > 0) {
      out = Buffer.from(out);
      out[at] = edit.byte;
    } else if (edit.kind === 'truncate') out = out.subarray(0, at);
    else if (edit.kind === 'duplicate') {
      out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + edit.length), out.subarray(at)]);
    }
  }
  return out;
}

function cut(bytes: Buffer, points: readonly number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...at, bytes.length]) {
    if (p > start) chunks.push(bytes.subarray(start, p));
    start = Math.max(start, p);
  }
  return chunks;
}

/** Reads all records; returns the error it ends with, if any, which must be an EcdReadError. */
async function drain(records: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const record of records) expect(record).toBeDefined();
  } catch (err) {
    if (!(err instanceof EcdReadError)) throw err;
    expect(err.reason).not.toMatch(/line 0\b/);
    if (err.position.line !== undefined) expect(err.position.line).toBeGreaterThanOrEqual(1);
  }
}

const edits = fc.array(mutation, { minLength: 1, maxLength: 5 });
const cuts = fc.array(fc.nat(), { maxLength: 10 });

describe('readers on broken exports (fuzzed)', () => {
  it('A.6: the JSON reader ends in records or an EcdReadError', async () => {
    const bytes = Buffer.from(SMALL_EXPORT_JSON);
    await fc.assert(
      fc.asyncProperty(edits, cuts, async (e, points) => {
        await drain(readEcdJsonStream(cut(mutate(bytes, e), points), 'fuzz.json', { maxValueLength: 64 }));
      }),
      { numRuns: 1000 },
    );
  });

  it('A.6: the CSV reader ends in records or an EcdReadError', async () => {
    const files = CSV_FILES.filter((spec) => SMALL_EXPORT_CSV[spec.name] !== undefined);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), edits, cuts, async (spec, e, points) => {
        const bytes = mutate(Buffer.from(SMALL_EXPORT_CSV[spec.name]!), e);
        const limits = resolveLimits({ maxValueLength: 64 });
        async function* records() {
          for await (const batch of csvFileBatches(() => cut(bytes, points), spec.name, spec, limits))
            yield* batch;
        }
        await drain(records());
      }),
      { numRuns: 1000 },
    );
  });
});
