import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EcdReadError,
  readEcdExport,
  readEcdJson,
  readEcdJsonStream,
  type EcdRecord,
} from '../../../src/ecd/read';
import { isGatewayError } from '../../../src/errors';
import { chunked, collect, failure, prng, SMALL_EXPORT_JSON, tempDir, removeTempDirs } from './fixtures';

afterAll(removeTempDirs);

const read = (text: string, options?: Parameters<typeof readEcdJsonStream>[2]) =>
  readEcdJsonStream([text], 'export.json', options);

/** Where each record is, as `entity id line index`, which is easy to compare at a glance. */
function positions(records: readonly EcdRecord[]): string[] {
  return records.map(
    (r) =>
      `${r.entity} ${String(r.record.id)} ${r.position.line}${r.position.index === undefined ? '' : ` ${r.position.index}`}`,
  );
}

/** A minimal valid export with `body` spliced in before the arrays. */
function minimal(body = '', arrays: Record<string, string> = {}): string {
  const lists = {
    clients: '[]',
    relations: '[]',
    portalRegistrations: '[]',
    portalAuthorisations: '[]',
    clientAgreements: '[]',
    ...arrays,
  };
  return (
    `{\n"format": "inzage-ecd-export",\n"version": 1,\n"exportedAt": "2026-11-23T10:15:00+01:00",\n` +
    `"organisation": {"id": "o", "name": "O"},\n${body}` +
    Object.entries(lists)
      .map(([key, value]) => `"${key}": ${value}`)
      .join(',\n') +
    '\n}\n'
  );
}

describe('readEcdJsonStream on a complete export', () => {
  it('yields every record, with the line it starts on and its index', async () => {
    const records = await collect(read(SMALL_EXPORT_JSON));
    // Without `mode` the header is complete only at the end: it could still come after the arrays.
    expect(positions(records)).toEqual([
      'clients c1 11 0',
      'careAgreements z1 19 0',
      'careAgreements z2 20 1',
      'clients c2 29 1',
      'careAgreements z3 34 0',
      'relations r1 38 0',
      'relations r2 46 1',
      'portalRegistrations p1 56 0',
      'portalRegistrations p2 63 1',
      'portalAuthorisations a1 66 0',
      'clientAgreements k1 77 0',
      'organisation meerzicht 5',
    ]);
    expect(records.every((r) => r.position.file === 'export.json')).toBe(true);
  });

  it('yields the organisation record first when the whole header, mode included, comes first', async () => {
    const text = SMALL_EXPORT_JSON.replace('  "version": 1,\n', '  "version": 1,\n  "mode": "delta",\n');
    const records = await collect(read(text));
    expect(positions(records).slice(0, 2)).toEqual(['organisation meerzicht 6', 'clients c1 12 0']);
    expect(records[0]!.record.mode).toBe('delta');
  });

  it('merges the header into the organisation record', async () => {
    const organisation = (await collect(read(SMALL_EXPORT_JSON))).find((r) => r.entity === 'organisation')!;
    const { fields, ...position } = organisation.position;
    expect({ ...organisation, position }).toEqual({
      entity: 'organisation',
      record: {
        format: 'inzage-ecd-export',
        version: 1,
        exportedAt: '2026-11-23T10:15:00+01:00',
        id: 'meerzicht',
        name: 'Meerzicht Zorg',
        ura: '12345678',
      },
      position: { file: 'export.json', line: 5 },
    });
    // B10: the header fields keep the lines they have at the top level.
    expect(['format', 'version', 'exportedAt', 'id', 'ura'].map((f) => fields?.lineOf(f))).toEqual([
      2, 3, 4, 6, 8,
    ]);
  });

  it('flattens care agreements out of their client, giving each the client id', async () => {
    const records = await collect(read(SMALL_EXPORT_JSON));
    const c1 = records.find((r) => r.record.id === 'c1')!;
    expect(c1.record).toEqual({
      id: 'c1',
      bsn: '123456782',
      name: { given: ['Jan', 'Pieter'], family: 'Vries', prefix: 'de' },
      birthDate: '1940-02-01',
      gender: 'male',
      telecom: { email: 'jan@example.nl', mobile: '+31612345678' },
      administratorCapacity: { capable: false, assessedOn: '2025-03-01', assessorRole: 'physician' },
    });
    expect(records.filter((r) => r.entity === 'careAgreements').map((r) => r.record)).toEqual([
      { id: 'z1', careType: 'elderly-care', start: '2024-01-01', clientId: 'c1' },
      { id: 'z2', careType: 'elderly-care', start: '2020-01-01', end: '2023-12-31', clientId: 'c1' },
      { id: 'z3', careType: 'disability-care', start: '2022-05-01', clientId: 'c2' },
    ]);
  });

  it('gives the same records as JSON.parse for the record contents', async () => {
    const records = await collect(read(SMALL_EXPORT_JSON));
    const parsed = JSON.parse(SMALL_EXPORT_JSON) as Record<string, Record<string, unknown>[]>;
    expect(records.filter((r) => r.entity === 'relations').map((r) => r.record)).toEqual(parsed.relations);
    expect(records.filter((r) => r.entity === 'portalAuthorisations').map((r) => r.record)).toEqual(
      parsed.portalAuthorisations,
    );
  });

  it('yields agreements of a client without an id, without a clientId', async () => {
    const text = minimal('', {
      clients: '[{"name": "x", "careAgreements": [{"id": "z"}]}, {"id": 7, "careAgreements": [{"id": "y"}]}]',
    });
    const records = await collect(read(text));
    expect(records.filter((r) => r.entity === 'careAgreements').map((r) => r.record)).toEqual([
      { id: 'z' },
      { id: 'y' },
    ]);
  });

  it('yields a client without careAgreements as it is', async () => {
    const records = await collect(read(minimal('', { clients: '[{"id": "c"}]' })));
    expect(records.map((r) => r.record)).toContainEqual({ id: 'c' });
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const records = await collect(readEcdJsonStream([Buffer.from(`\uFEFF${SMALL_EXPORT_JSON}`)], 'bom.json'));
    expect(positions(records)).toEqual(positions(await collect(read(SMALL_EXPORT_JSON))));
  });

  it('reads a file from disk, naming it in positions', async () => {
    const path = join(tempDir('json'), 'export.json');
    writeFileSync(path, SMALL_EXPORT_JSON);
    const records = await collect(readEcdJson(path));
    expect(records).toHaveLength(12);
    expect(records[0]!.position).toMatchObject({ file: path, line: 11, index: 0 });
    expect(await collect(readEcdExport(path))).toEqual(records);
  });
});

describe('stopping early', () => {
  /** Whether this process has `path` open (Linux shows it in /proc; elsewhere the answer is always no). */
  function isOpen(path: string): boolean {
    if (!existsSync('/proc/self/fd')) return false;
    return readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  }

  it('closes the file when the consumer stops after the first record', async () => {
    const path = join(tempDir('early'), 'export.json');
    // Many chunks long, so that the file is still being read when the consumer stops.
    const clients = Array.from({ length: 50_000 }, (_, i) => `{"id": "c${i}"}`).join(',\n');
    writeFileSync(path, minimal('', { clients: `[\n${clients}\n]` }));
    const records = readEcdJson(path);
    expect((await records.next()).value).toMatchObject({ entity: 'clients' });
    if (existsSync('/proc/self/fd')) expect(isOpen(path)).toBe(true);
    await records.return(undefined);
    // Closing happens on libuv's thread pool, which is slow to get to on a busy machine.
    for (let waited = 0; isOpen(path) && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(isOpen(path)).toBe(false);
    expect(await records.next()).toEqual({ done: true, value: undefined });
  });
});

describe('header fields in any position', () => {
  const late = `{
  "clients": [
    { "id": "c1", "careAgreements": [] }
  ],
  "relations": [],
  "portalRegistrations": [],
  "portalAuthorisations": [],
  "clientAgreements": [
    { "id": "k1" }
  ],
  "organisation": { "id": "o", "name": "O" },
  "exportedAt": "2026-11-23T10:15:00+01:00",
  "version": 1,
  "format": "inzage-ecd-export"
}`;

  it('yields the organisation record once all header fields have been seen', async () => {
    const records = await collect(read(late));
    expect(positions(records)).toEqual(['clients c1 3 0', 'clientAgreements k1 9 0', 'organisation o 11']);
    expect(records[2]!.record).toEqual({
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: '2026-11-23T10:15:00+01:00',
      id: 'o',
      name: 'O',
    });
  });

  it('yields the organisation record between arrays when the header is split around them', async () => {
    const text = `{"format": "inzage-ecd-export", "clients": [{"id": "c"}], "version": 1, "organisation": {"id": "o"},
      "exportedAt": "t", "mode": "full", "relations": [{"id": "r"}], "portalRegistrations": [],
      "portalAuthorisations": [], "clientAgreements": []}`;
    const records = await collect(read(text));
    expect(positions(records)).toEqual(['clients c 1 0', 'organisation o 1', 'relations r 2 0']);
    expect(records[1]!.record).toEqual({
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: 't',
      mode: 'full',
      id: 'o',
    });
  });

  it('includes a mode that comes after everything else', async () => {
    const text = late.replace(
      '"format": "inzage-ecd-export"',
      '"format": "inzage-ecd-export",\n  "mode": "delta"',
    );
    const records = await collect(read(text));
    expect(positions(records)).toEqual(['clients c1 3 0', 'clientAgreements k1 9 0', 'organisation o 11']);
    expect(records[2]!.record.mode).toBe('delta');
  });

  it('passes a mode it does not know on, for validation to report', async () => {
    const records = await collect(read(minimal('"mode": "Delta",\n')));
    expect(records.find((r) => r.entity === 'organisation')!.record.mode).toBe('Delta');
  });

  it('names missing header fields at the end', async () => {
    const text = late.replace('  "exportedAt": "2026-11-23T10:15:00+01:00",\n', '');
    const { error, before } = await failure(read(text));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toMatch(/^missing top-level field 'exportedAt'/);
    expect(error.field).toBe('exportedAt');
    expect(before).toHaveLength(2);
  });

  it('names missing arrays at the end', async () => {
    const text = `{"format": "inzage-ecd-export", "version": 1, "exportedAt": "t", "organisation": {}, "clients": []}`;
    const { error } = await failure(read(text));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toMatch(
      /^missing top-level fields 'relations', 'portalRegistrations', 'portalAuthorisations', 'clientAgreements'/,
    );
  });

  it.each([
    ['"other"', "format must be 'inzage-ecd-export' (got 'other')"],
    ['42', "format must be 'inzage-ecd-export' (got 42)"],
    ['{"x": 1}', "format must be 'inzage-ecd-export' (got an object)"],
  ])('refuses format %s as soon as it is seen', async (value, message) => {
    const text = `{\n"clients": [{"id": "c"}],\n"format": ${value},\n"relations": [{"id": "r"}]}`;
    const { error, before } = await failure(read(text));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe(`${message}, at line 3`);
    expect(error.field).toBe('format');
    expect(error.position).toEqual({ file: 'export.json', line: 3 });
    expect(before).toHaveLength(1);
  });

  it.each([
    ['2', 'unsupported version 2: this gateway reads version 1'],
    ['"1"', "version must be the number 1 (got '1')"],
    ['1.5', 'unsupported version 1.5: this gateway reads version 1'],
  ])('refuses version %s', async (value, message) => {
    const { error } = await failure(read(`{"format": "inzage-ecd-export", "version": ${value}}`));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe(`${message}, at line 1`);
    expect(error.message).toBe(`export.json: ${message}, at line 1 (field version)`);
  });
});

describe('structure errors', () => {
  it('refuses an unknown top-level field', async () => {
    const { error } = await failure(read(minimal('"extra": [],\n')));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toMatch(/^unknown top-level field 'extra' at line 6; expected format, version/);
    expect(error.field).toBe('extra');
  });

  it('refuses a duplicate top-level field', async () => {
    const { error } = await failure(read(minimal('"clients": [],\n')));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe("duplicate top-level field 'clients' at line 7");
  });

  it('refuses an array element that is not an object, naming it', async () => {
    const text = minimal('', { clients: '[\n{"id": "a"},\n{"id": "b"},\n{"id": "c"},\n"d"\n]' });
    const { error, before } = await failure(read(text));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.field).toBe('clients[3]');
    expect(error.position).toEqual({ file: 'export.json', line: 10, index: 3 });
    expect(error.reason).toBe("clients[3] must be an object (got 'd') at line 10");
    expect(before.filter((r) => r.entity === 'clients')).toHaveLength(3);
  });

  it.each([
    ['clients', '{}', 'clients must be an array (got an object) at line 6'],
    ['relations', '"none"', "relations must be an array (got 'none') at line 7"],
    ['clientAgreements', 'null', 'clientAgreements must be an array (got null) at line 10'],
  ])('refuses %s when it is not an array', async (key, value, reason) => {
    const { error } = await failure(read(minimal('', { [key]: value })));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe(reason);
    expect(error.field).toBe(key);
  });

  it('refuses an organisation that is not an object, or that repeats a header field', async () => {
    let { error } = await failure(read('{"organisation": ["x"]}'));
    expect(error.reason).toBe('organisation must be an object (got an array), at line 1');
    ({ error } = await failure(read('{"organisation": {"id": "o", "version": 2}}')));
    expect(error.field).toBe('organisation.version');
  });

  it('refuses careAgreements that are not an array of objects', async () => {
    let { error } = await failure(read(minimal('', { clients: '[{"id": "c", "careAgreements": {}}]' })));
    expect(error.field).toBe('clients[0].careAgreements');
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    ({ error } = await failure(
      read(minimal('', { clients: '[{"id": "c", "careAgreements": [{}, \n 3]}]' })),
    ));
    expect(error.field).toBe('clients[0].careAgreements[1]');
    expect(error.position).toEqual({ file: 'export.json', line: 7, index: 0 });
  });

  it('refuses a nested care agreement whose clientId contradicts its client', async () => {
    const { error } = await failure(
      read(minimal('', { clients: '[{"id": "c", "careAgreements": [{"id": "z", "clientId": "other"}]}]' })),
    );
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.field).toBe('clients[0].careAgreements[0].clientId');
  });

  it('refuses duplicate fields inside a record', async () => {
    const { error } = await failure(
      read(minimal('', { relations: '[{"id": "r",\n "role": "a",\n "role": "b"}]' })),
    );
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe("duplicate field 'role' at line 9");
    expect(error.field).toBe('relations[0].role');
  });

  it('keeps a field named __proto__ as a field', async () => {
    const records = await collect(
      read(minimal('', { relations: '[{"id": "r", "__proto__": {"polluted": true}}]' })),
    );
    const record = records.find((r) => r.entity === 'relations')!.record;
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['id', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nesting deeper than maxDepth', async () => {
    const deep = (levels: number) =>
      minimal('', { clients: `[{"x": ${'['.repeat(levels)}${']'.repeat(levels)}}]` });
    // Top-level object, clients, the client: 3 levels before the nested arrays.
    await expect(collect(read(deep(13)))).resolves.toBeDefined();
    const { error } = await failure(read(deep(14)));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toMatch(/^nesting deeper than 16 levels at line 6, column \d+$/);
    const shallow = await failure(
      read(minimal('', { clients: '[{"name": {"given": ["a"]}}]' }), { maxDepth: 4 }),
    );
    expect(shallow.error.field).toBe('clients[0].name.given');
  });

  it('refuses a top-level value that is not an object', async () => {
    for (const text of ['[]', '"x"', '12', 'null']) {
      const { error } = await failure(read(text));
      expect(error.code).toBe('ERR_ECD_STRUCTURE');
      expect(error.reason).toMatch(/^the export must be a JSON object/);
    }
  });
});

describe('strings and numbers', () => {
  const tricky = [
    'plain',
    '',
    'quote " backslash \\ slash /',
    'controls \b \f \n \r \t',
    'é ü ñ 中文 𝄞 😀',
    '\u0000\u001f\u007f\u2028\u2029',
  ];

  it('decodes every escape, including surrogate pairs', async () => {
    const escaped =
      '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u00E9 \\u4e2d \\uD83D\\uDE00 \\ud834\\udd1e \\u0000"';
    const records = await collect(read(minimal('', { relations: `[{"id": ${escaped}}]` })));
    const id = records.find((r) => r.entity === 'relations')!.record.id;
    expect(id).toBe(JSON.parse(escaped));
    expect(id).toBe('" \\ / \b \f \n \r \t é é 中 😀 𝄞 \u0000');
  });

  it('round-trips strings that JSON.stringify escapes', async () => {
    const records = await collect(
      read(minimal('', { relations: JSON.stringify(tricky.map((id) => ({ id }))) })),
    );
    expect(records.filter((r) => r.entity === 'relations').map((r) => r.record.id)).toEqual(tricky);
  });

  it('reads numbers, booleans and null', async () => {
    const values = [0, -0, 1, -12, 3.25, 1e3, 2.5e-3, -1.5e10, true, false, null];
    const text = minimal('', {
      relations: `[{"id": "r", "v": [0, -0, 1, -12, 3.25, 1E3, 2.5e-3, -1.5e+10, true, false, null]}]`,
    });
    const records = await collect(read(text));
    expect(records.find((r) => r.entity === 'relations')!.record.v).toEqual(values);
  });

  it.each([
    ['"\\x"', /^invalid escape '\\x' at line 7, column 23$/],
    ['"\\u12G4"', /^invalid \\u escape: 'G' is not a hex digit, at line 7, column 27$/],
    ['"\\uD800"', /^unpaired surrogate in a \\u escape at line 7, column 29$/],
    ['"\\uD800\\u0041"', /^unpaired surrogate/],
    ['"\\uDC00"', /^unpaired surrogate/],
    ['"\\uD800x"', /^unpaired surrogate/],
    ['"tab\there"', /^control character U\+0009 inside a string at line 7, column 26$/],
    ['01', /^invalid number '01' at line 7, column 22$/],
    ['1.', /^invalid number '1\.' at line 7, column 22$/],
    ['-', /^invalid number '-' at line 7, column 22$/],
    ['1e', /^invalid number '1e' at line 7, column 22$/],
    ['+1', /^unexpected character '\+' at line 7, column 22; expected a value$/],
    ['tru', /^unexpected character '}' at line 7, column 25; expected 'true'$/],
    ['nul', /^unexpected character '}' at line 7, column 25; expected 'null'$/],
    ['True', /^unexpected character 'T' at line 7, column 22; expected a value$/],
  ])('refuses %s with its position', async (value, reason) => {
    const { error } = await failure(read(minimal('', { relations: `[{"id": ${value}}]` })));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toMatch(reason);
    expect(error.field).toBe('relations[0].id');
    expect(error.position.index).toBe(0);
  });

  // The header's own strings are up to 25 characters long, so the limit in these tests stays above that.
  const limit = { maxValueLength: 30 };

  it('refuses a string longer than maxValueLength, and accepts one of exactly that length', async () => {
    const ok = await collect(read(minimal('', { relations: `[{"id": "${'x'.repeat(30)}"}]` }), limit));
    expect(ok.find((r) => r.entity === 'relations')!.record.id).toBe('x'.repeat(30));
    const { error } = await failure(read(minimal('', { relations: `[{"id": "${'x'.repeat(31)}"}]` }), limit));
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.reason).toBe('string longer than 30 characters, starting at line 7, column 22');
    expect(error.field).toBe('relations[0].id');
    // Escapes count as the characters they stand for.
    const escaped = await collect(read(minimal('', { relations: `[{"id": "${'\\n'.repeat(30)}"}]` }), limit));
    expect(escaped.find((r) => r.entity === 'relations')!.record.id).toBe('\n'.repeat(30));
  });

  it('refuses an over-long number or field name', async () => {
    let { error } = await failure(read(minimal('', { relations: `[{"id": ${'1'.repeat(31)}}]` }), limit));
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.reason).toBe('number longer than 30 characters, starting at line 7, column 22');
    ({ error } = await failure(read(minimal('', { relations: `[{"${'k'.repeat(31)}": 1}]` }), limit)));
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.reason).toBe('field name longer than 30 characters, starting at line 7, column 16');
  });
});

describe('record size', () => {
  it('refuses a record of many small values once it holds 16 times maxValueLength', async () => {
    const values = (count: number) => Array.from({ length: count }, () => '"abcdefghi"').join(', ');
    // 30 × 16 = 480: each value counts its 9 characters plus 1.
    const fits = minimal('', { relations: `[{"id": "r"}, {"x": [${values(47)}]}]` });
    await expect(collect(read(fits, { maxValueLength: 30 }))).resolves.toHaveLength(3);
    const { error } = await failure(
      read(minimal('', { relations: `[{"id": "r"},\n{"x": [\n${values(48)}]}]` }), { maxValueLength: 30 }),
    );
    expect(error.code).toBe('ERR_ECD_RECORD_TOO_LARGE');
    expect(error.reason).toBe('record larger than 480 characters, starting at line 8 (reached at line 9)');
    expect(error.position).toEqual({ file: 'export.json', line: 8, index: 1 });
    expect(error.field).toBe('relations[1].x[47]');
  });
});

describe('syntax errors', () => {
  it.each([
    [
      '{\n  "format": "inzage-ecd-export",\n  "version": 1,,\n}',
      "unexpected character ',' at line 3, column 16; expected a field name in double quotes",
    ],
    [
      '{\n  "format" "x"\n}',
      `unexpected character '"' at line 2, column 12; expected ':' after the field name`,
    ],
    [
      '{\n  "clients": [\n    {"id": "a"}\n    {"id": "b"}\n  ]\n}',
      "unexpected character '{' at line 4, column 5; expected ',' or ']'",
    ],
    ['{"clients": [{"id": "a"]}', "unexpected character ']' at line 1, column 24; expected ',' or '}'"],
    ['{"clients": [{},]}', "unexpected character ']' at line 1, column 17; expected a value"],
    ["{'format': 1}", "unexpected character ''' at line 1, column 2; expected a field name in double quotes"],
    [
      '{"format": "inzage-ecd-export"\n}\n}',
      "unexpected character '}' at line 3, column 1; expected nothing after the end of the export object",
    ],
    ['{\n\n    }', undefined],
    ['x', "unexpected character 'x' at line 1, column 1; expected the export object"],
    ['{"clients": [\u00a0]}', "unexpected character '\u00a0' at line 1, column 14; expected a value"],
  ])('%j', async (text, reason) => {
    const { error } = await failure(read(text));
    if (reason === undefined) {
      // An empty object is well-formed; what is wrong with it is structure.
      expect(error.code).toBe('ERR_ECD_STRUCTURE');
      return;
    }
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe(reason);
  });

  it('counts columns in UTF-16 code units, as editors do, and lines after CRLF', async () => {
    const { error } = await failure(read('{\r\n"clients": [{"id": "é😀", x}]}'));
    expect(error.reason).toBe(
      "unexpected character 'x' at line 2, column 27; expected a field name in double quotes",
    );
  });

  it('refuses invalid UTF-8 with its position', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{\n  "clients": [{"id": "ab'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]}'),
    ]);
    const { error } = await failure(readEcdJsonStream([bytes], 'bad.json'));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe('invalid UTF-8 at line 2, column 25');
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const text = Buffer.concat([Buffer.from('{"format": "'), Buffer.from(bad), Buffer.from('"}')]);
      for (const sizes of [[text.length], [1], [13, 1]]) {
        const result = await failure(readEcdJsonStream(chunked(text, sizes), 'bad.json'));
        expect([bad, sizes, result.error.reason]).toEqual([bad, sizes, 'invalid UTF-8 at line 1, column 13']);
      }
    }
  });

  it('passes errors of the input stream through unchanged', async () => {
    class Boom extends Error {}
    async function* body() {
      yield '{"format": ';
      throw new Boom('client went away');
    }
    await expect(collect(readEcdJsonStream(body(), 'body'))).rejects.toBeInstanceOf(Boom);
  });

  it('turns a missing file into ERR_ECD_IO', async () => {
    const path = join(tempDir('json'), 'missing.json');
    const { error } = await failure(readEcdJson(path));
    expect(error.code).toBe('ERR_ECD_IO');
    expect(error.position).toEqual({ file: path });
    expect(error.reason).toMatch(/ENOENT/);
    expect((await failure(readEcdExport(path))).error.code).toBe('ERR_ECD_IO');
  });
});

describe('truncated files', () => {
  it('reports an empty file as truncated', async () => {
    for (const text of ['', '   \n\n ', '\uFEFF']) {
      const { error } = await failure(read(text));
      expect(error.code).toBe('ERR_ECD_TRUNCATED');
      expect(error.reason).toBe('the file is empty: expected the export object');
    }
  });

  it('reports every proper prefix of an export as truncated, at its last line', async () => {
    const bytes = Buffer.from(SMALL_EXPORT_JSON.trimEnd());
    for (let cut = 1; cut < bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      const { error } = await failure(readEcdJsonStream([prefix], 'cut.json'));
      const lines = prefix.toString('utf8').split('\n').length;
      expect([cut, error.code]).toEqual([cut, 'ERR_ECD_TRUNCATED']);
      expect(error.reason).toMatch(new RegExp(`^file ends in the middle of .*, at line ${lines}$`));
    }
  });

  it.each([
    ['"format": "inz', 'a string that starts at line 2 (in format)', 2],
    ['"version": 1', 'a value at line 3 (version)', 3],
    ['"bsn": "123', 'a string that starts at line 13 (in clients[0].bsn)', 13],
    ['"given": ["Jan", ', 'clients[0].name.given, which starts at line 14', 14],
    ['"role": "parent",\n', 'relations[1], which starts at line 46', 50],
    ['"agreed": tr', 'a value at line 82 (clientAgreements[0].agreed)', 82],
    ['"clientAgreements": [', 'clientAgreements, which starts at line 76', 76],
    [
      '"clientAgreements": [\n    {\n      "id"',
      'a field name that starts at line 78 (in clientAgreements[0])',
      78,
    ],
    ['  ]\n', 'the top-level object', 86],
  ])('describes where a file cut after %j ends', async (needle, what, line) => {
    const bytes = Buffer.from(SMALL_EXPORT_JSON);
    const at = needle === '  ]\n' ? bytes.lastIndexOf(needle) : bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const cut = bytes.subarray(0, at + Buffer.byteLength(needle) - (needle.endsWith('"id"') ? 1 : 0));
    const { error } = await failure(readEcdJsonStream([cut], 'cut.json'));
    expect(error.code).toBe('ERR_ECD_TRUNCATED');
    expect(error.reason).toBe(`file ends in the middle of ${what}, at line ${line}`);
  });

  it('reports a character cut off at the end as a truncated file', async () => {
    const bytes = Buffer.from(SMALL_EXPORT_JSON);
    const at = bytes.indexOf('Yılmaz') + 2;
    const { error } = await failure(readEcdJsonStream([bytes.subarray(0, at)], 'cut.json'));
    expect(error.code).toBe('ERR_ECD_TRUNCATED');
  });
});

describe('chunk boundaries', () => {
  // Multi-byte characters and escapes, so that chunks split both.
  const document = minimal('', {
    clients: JSON.stringify(
      [
        {
          id: 'c1',
          name: { given: ['Zoë', 'Ŝ'], family: 'Çelik 😀' },
          note: 'tab\there "quoted" \\ \u0001',
          n: -12.5e-3,
          ok: true,
        },
        { id: 'c2', careAgreements: [{ id: 'z', start: '2024-01-01' }], n: null, big: 123456789, f: false },
      ],
      null,
      2,
    ),
    relations: '[{"id": "r\\uD83D\\uDE00\\u00e9", "x": [[], {}, [1, [2]]]}]',
  });
  const bytes = Buffer.from(`\uFEFF${document}`);

  async function readIn(chunks: Buffer[]): Promise<EcdRecord[]> {
    return collect(readEcdJsonStream(chunks, 'chunks.json'));
  }

  it('gives the same records in 1-byte chunks as in one chunk', async () => {
    const whole = await readIn([bytes]);
    expect(whole).toHaveLength(5);
    expect(await readIn(chunked(bytes, [1]))).toEqual(whole);
  });

  it('gives the same records for random chunk sizes', async () => {
    const whole = await readIn([bytes]);
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const sizes = Array.from({ length: 50 }, () => 1 + Math.floor(random() * 40));
      const records = await readIn(chunked(bytes, sizes));
      expect({ seed, records }).toEqual({ seed, records: whole });
    }
  });

  it('gives the same error for random chunk sizes', async () => {
    const broken = Buffer.from(document.replace('"c2"', '"c2" 1'));
    const whole = await failure(readEcdJsonStream([broken], 'chunks.json'));
    expect(whole.error.reason).toMatch(/^unexpected character '1' at line \d+, column 16/);
    for (let seed = 1; seed <= 100; seed++) {
      const random = prng(seed);
      const sizes = Array.from({ length: 20 }, () => 1 + Math.floor(random() * 20));
      const split = await failure(readEcdJsonStream(chunked(broken, sizes), 'chunks.json'));
      expect({ seed, message: split.error.message, before: split.before.length }).toEqual({
        seed,
        message: whole.error.message,
        before: whole.before.length,
      });
    }
  });

  it('accepts strings as chunks', async () => {
    const records = await collect(readEcdJsonStream(document.match(/[\s\S]{1,7}/g)!, 'chunks.json'));
    expect(records).toEqual(await readIn([bytes]));
  });
});

describe('EcdReadError', () => {
  const limit30 = { maxValueLength: 30 };

  it('names file, reason, field and record in its message', async () => {
    const { error } = await failure(read(minimal('', { relations: '[{"id": "a"}, {"id": tru }]' })));
    expect(error).toBeInstanceOf(EcdReadError);
    expect(error.name).toBe('EcdReadError');
    expect(error.message).toBe(
      "export.json: unexpected character ' ' at line 7, column 38; expected 'true' (field relations[1].id, record 1)",
    );
  });

  it('is a GatewayError: 422 for what the export says, 500 for a file the gateway cannot read', async () => {
    const { error } = await failure(read('{"format": 1}'));
    expect(isGatewayError(error)).toBe(true);
    expect([error.code, error.status, error.expose]).toEqual(['ERR_ECD_STRUCTURE', 422, true]);
    const tooLong = await failure(read(minimal('', { relations: `[{"id": "${'x'.repeat(31)}"}]` }), limit30));
    expect([tooLong.error.code, tooLong.error.status]).toEqual(['ERR_ECD_VALUE_TOO_LONG', 422]);
    const missing = await failure(readEcdJson(join(tempDir('json'), 'missing.json')));
    expect([missing.error.code, missing.error.status, missing.error.expose]).toEqual([
      'ERR_ECD_IO',
      500,
      false,
    ]);
  });
});
