import fc from 'fast-check';
import { readText, type TextReader } from '../../../src/ecd/read/input';
import { JsonStreamParser, type JsonStreamHandler } from '../../../src/ecd/read/json-parser';
import { EcdReadError, resolveLimits, type ReadLimits } from '../../../src/ecd/read/types';

/*
 * The hand-written stream parser against JSON.parse, on random documents cut into random chunks (cuts
 * fall anywhere, inside multi-byte characters and escapes too). For valid input it must give what
 * JSON.parse gives; for anything else a clean EcdReadError, never another exception and never a
 * hang. It may refuse what JSON.parse accepts only on purpose: a duplicate field, an unpaired
 * surrogate, a value, record or nesting over the limits, a top level that is not an object.
 */

/** Builds the whole document, as JSON.parse would, with arrays under `stream` handed over element by element. */
class Collector implements JsonStreamHandler {
  readonly result: Record<string, unknown> = {};

  constructor(private readonly stream: boolean) {}

  key(): void {}

  memberStart(key: string, kind: 'object' | 'array'): boolean {
    if (!this.stream || kind !== 'array') return false;
    this.set(key, []);
    return true;
  }

  member(key: string, value: unknown): void {
    this.set(key, value);
  }

  element(arrayKey: string, index: number, value: unknown): void {
    (this.result[arrayKey] as unknown[])[index] = value;
  }

  private set(key: string, value: unknown): void {
    // As JSON.parse does: an own property, even when it is called __proto__, and the last one wins.
    Object.defineProperty(this.result, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

const LIMITS: ReadLimits = { maxValueLength: 1 << 20, maxDepth: 64 };

/** Parses the bytes in the given chunks, through the same decoding loop the export readers use. */
async function parse(chunks: readonly Uint8Array[], stream: boolean, limits = LIMITS): Promise<unknown> {
  const collector = new Collector(stream);
  const parser = new JsonStreamParser('fuzz.json', resolveLimits(limits), collector);
  const reader: TextReader = {
    get line() {
      return parser.currentLine;
    },
    write: (text) => parser.write(text),
    end: () => parser.end(),
    take: () => [],
    invalidUtf8: () => parser.error('ERR_ECD_SYNTAX', 'invalid UTF-8'),
  };
  for await (const batch of readText(
    chunks.map((c) => Buffer.from(c)),
    'fuzz.json',
    reader,
    false,
  )) {
    expect(batch).toEqual([]);
  }
  return collector.result;
}

/** The bytes cut at the given points (each taken modulo the length, so any cut is possible). */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => (bytes.length === 0 ? 0 : p % (bytes.length + 1))))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...at, bytes.length]) {
    if (p > start) chunks.push(bytes.subarray(start, p));
    start = Math.max(start, p);
  }
  return chunks;
}

/** What JSON.parse makes of the bytes, read as a file is (strict UTF-8, a leading BOM dropped). */
function reference(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

type Outcome = { value: unknown } | { error: unknown };

async function outcome(chunks: readonly Uint8Array[], stream: boolean): Promise<Outcome> {
  try {
    return { value: await parse(chunks, stream) };
  } catch (error) {
    return { error };
  }
}

/** A refusal of text JSON.parse accepts, that the parser makes on purpose. */
function isDeliberateRefusal(error: EcdReadError): boolean {
  return (
    error.code === 'ERR_ECD_STRUCTURE' ||
    error.code === 'ERR_ECD_VALUE_TOO_LONG' ||
    error.code === 'ERR_ECD_RECORD_TOO_LARGE' ||
    /^unpaired surrogate/.test(error.reason)
  );
}

const encoder = new TextEncoder();

/** Top-level object text with a built member and a streamed array, pretty-printed or not. */
const documents = (stringUnit: 'grapheme' | 'binary') =>
  fc
    .record({
      doc: fc.jsonValue({ maxDepth: 8, stringUnit }),
      items: fc.array(fc.jsonValue({ maxDepth: 6, stringUnit }), { maxLength: 8 }),
      indent: fc.constantFrom(0, 1, 2, '\t', 'crlf'),
      bom: fc.boolean(),
    })
    .map(({ doc, items, indent, bom }) => {
      // JSON.stringify writes no raw line breaks inside strings, so CRLF line ends can be put in after.
      const spaced =
        indent === 'crlf'
          ? JSON.stringify({ doc, items }, null, 2).replaceAll('\n', '\r\n')
          : JSON.stringify({ doc, items }, null, indent);
      return { text: spaced, bytes: encoder.encode(bom ? `\uFEFF${spaced}` : spaced) };
    });

const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** JSON number text from the grammar, including exponents that overflow and underflow. */
const numberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.bigInt({ min: 1n, max: 10n ** 30n }).map(String)),
    fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
    fc.option(
      fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })),
      {
        nil: undefined,
      },
    ),
  )
  .map(
    ([minus, int, frac, exp]) =>
      `${minus ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : exp.join('')}`,
  );

describe('the JSON stream parser against JSON.parse (fuzzed)', () => {
  it('A.6: gives what JSON.parse gives for any valid document, however it is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(documents('grapheme'), cuts, fc.boolean(), async ({ text, bytes }, points, stream) => {
        expect(await parse(cut(bytes, points), stream)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('A.6: reads numbers as JSON.parse does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(numberText, { minLength: 1, maxLength: 10 }),
        cuts,
        async (numbers, points) => {
          const text = `{"n": [${numbers.join(', ')}]}`;
          expect(await parse(cut(encoder.encode(text), points), false)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Checks that the parser accepts exactly what JSON.parse accepts, as the same value, or refuses on purpose. */
  async function agreesWithJsonParse(text: string, points: readonly number[]): Promise<void> {
    const bytes = encoder.encode(text);
    const result = await outcome(cut(bytes, points), false);
    const expected = reference(bytes);
    if ('value' in result) {
      expect({ text, parsed: expected }).toEqual({ text, parsed: { ok: true, value: result.value } });
    } else {
      if (!(result.error instanceof EcdReadError)) throw result.error;
      if (expected.ok)
        expect({ text, deliberate: isDeliberateRefusal(result.error) }).toEqual({ text, deliberate: true });
    }
  }

  it('A.6: accepts exactly the numbers, literals and strings JSON.parse accepts (token soup)', async () => {
    const soup = (alphabet: string) =>
      fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 10 }).map((cs) => cs.join(''));
    const value = fc.oneof(
      soup('-+.eE0123456789 '),
      soup('truefalsn '),
      soup('"\\/bfnrtu0123456789abcdefABCDEF\t\n x"').map((body) => `"${body}"`),
      soup('"\\ud83DdcDEe0A'),
      soup('[]{},:"a1 '),
    );
    await fc.assert(
      fc.asyncProperty(value, cuts, async (v, points) => {
        await agreesWithJsonParse(`{"a": ${v}}`, points);
        await agreesWithJsonParse(`{"a": [${v}]}`, points);
      }),
      { numRuns: 3000 },
    );
  });

  it('A.6: with any strings, lone surrogates included, gives what JSON.parse gives or refuses them by name', async () => {
    await fc.assert(
      fc.asyncProperty(documents('binary'), cuts, async ({ text, bytes }, points) => {
        const result = await outcome(cut(bytes, points), true);
        if ('value' in result) {
          expect(result.value).toEqual(JSON.parse(text));
        } else {
          expect(result.error).toBeInstanceOf(EcdReadError);
          expect((result.error as EcdReadError).reason).toMatch(/^unpaired surrogate/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('A.6: nests as deep as the limit allows, and refuses one level more cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: 1, max: 45 }),
        fc.boolean(),
        cuts,
        async (maxDepth, levels, objects, points) => {
          const open = objects ? '{"a":' : '[';
          const close = objects ? '}' : ']';
          // The top-level object is level 1; `levels` containers go inside it.
          const text = `{"doc": ${open.repeat(levels)}0${close.repeat(levels)}}`;
          const chunks = cut(encoder.encode(text), points);
          if (levels + 1 <= maxDepth) {
            expect(await parse(chunks, false, { maxDepth })).toEqual(JSON.parse(text));
          } else {
            const result = await parse(chunks, false, { maxDepth }).then(
              () => undefined,
              (error: unknown) => error,
            );
            expect(result).toBeInstanceOf(EcdReadError);
            expect((result as EcdReadError).reason).toMatch(/^nesting deeper than/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Small edits that break a document in the ways files break: a byte lost, added, changed, cut off. */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      byte: fc.oneof(
        fc.constantFrom(...Buffer.from('{}[]",:\\ \n\r\t0123456789eE+-.tfnu/bx')),
        fc.integer({ min: 0, max: 255 }),
      ),
    }),
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 12 }),
    }),
  );

  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(bytes: Uint8Array, edits: readonly Mutation[]): Uint8Array {
    let out = Buffer.from(bytes);
    for (const edit of edits) {
      const at = out.length === 0 ? 0 : edit.at % out.length;
      if (edit.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
      else if (edit.kind === 'insert')
        out = Buffer.concat([out.subarray(0, at), Buffer.from([edit.byte]), out.subarray(at)]);
      else if (edit.kind === 'replace' && out.length > 0) out[at] = edit.byte;
      else if (edit.kind === 'truncate') out = out.subarray(0, at);
      else if (edit.kind === 'duplicate') {
        out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + edit.length), out.subarray(at)]);
      }
    }
    return out;
  }

  it('A.6: for a broken document, a clean EcdReadError, or (when the edit left valid JSON) what JSON.parse gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        documents('grapheme'),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        cuts,
        fc.boolean(),
        async ({ bytes }, edits, points, stream) => {
          const broken = mutate(bytes, edits);
          const result = await outcome(cut(broken, points), stream);
          const expected = reference(broken);
          if ('value' in result) {
            // Never accepts what is not JSON.
            expect(expected).toEqual({ ok: true, value: result.value });
            return;
          }
          if (!(result.error instanceof EcdReadError)) throw result.error;
          if (expected.ok)
            expect({ refusal: isDeliberateRefusal(result.error), error: result.error.message }).toEqual({
              refusal: true,
              error: result.error.message,
            });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
