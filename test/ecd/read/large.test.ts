import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { readEcdCsvDirectory, readEcdJson, type EcdRecord } from '../../../src/ecd/read';
import { exposeGc, failure, tempDir, removeTempDirs } from './fixtures';

afterAll(removeTempDirs);

const MB = 1024 * 1024;
const gc = exposeGc();

/** Writes the pieces to a file as they come, so generating a large export does not hold it in memory. */
async function writeStreamed(path: string, pieces: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  for (const piece of pieces) {
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Consumes records without keeping them, sampling the retained heap as it goes. Returns the largest
 * growth over the starting heap, the record count and the time taken.
 */
async function consume(
  records: AsyncIterable<EcdRecord>,
  sampleEvery = 10_000,
): Promise<{ count: number; growth: number; ms: number }> {
  const start = heapUsed();
  let peak = start;
  let count = 0;
  let sampling = 0;
  const begin = process.hrtime.bigint();
  for await (const record of records) {
    if (record.position.line < 1) throw new Error('a record without a line');
    count++;
    if (count % sampleEvery === 0) {
      const t = process.hrtime.bigint();
      peak = Math.max(peak, heapUsed());
      sampling += Number(process.hrtime.bigint() - t);
    }
  }
  const ms = (Number(process.hrtime.bigint() - begin) - sampling) / 1e6;
  peak = Math.max(peak, heapUsed());
  return { count, growth: peak - start, ms };
}

function* letters(bytes: number): Generator<string> {
  const block = 'abcdefghij'.repeat(MB / 10);
  for (let written = 0; written < bytes; written += block.length) yield block;
}

function* giantStringExport(bytes: number): Generator<string> {
  yield '{\n  "format": "';
  yield* letters(bytes);
  yield '"\n}\n';
}

function* clientsExport(clients: number, relations: number): Generator<string> {
  yield '{\n  "format": "inzage-ecd-export",\n  "version": 1,\n  "exportedAt": "2026-11-23T10:15:00+01:00",\n';
  yield '  "organisation": { "id": "meerzicht", "name": "Meerzicht Zorg" },\n  "clients": [\n';
  for (let i = 0; i < clients; i++) {
    const client = {
      id: `c${i}`,
      bsn: '123456782',
      name: { given: ['Jan', 'Pieter'], family: `Vries-${i}`, prefix: 'de' },
      birthDate: '1940-02-01',
      gender: 'male',
      telecom: { email: `client${i}@example.nl`, mobile: '+31612345678' },
      careAgreements: [
        { id: `z${i}a`, careType: 'elderly-care', start: '2024-01-01' },
        { id: `z${i}b`, careType: 'elderly-care', start: '2020-01-01', end: '2023-12-31' },
      ],
      administratorCapacity: { capable: i % 2 === 0, assessedOn: '2025-03-01', assessorRole: 'physician' },
    };
    yield `${i === 0 ? '' : ',\n'}${JSON.stringify(client, null, 2).replace(/^/gm, '    ')}`;
  }
  yield '\n  ],\n  "relations": [\n';
  for (let i = 0; i < relations; i++) {
    const relation = {
      id: `r${i}`,
      clientId: `c${i % clients}`,
      role: 'first-contact-person',
      name: { given: ['Anna'], family: `Jansen-${i}`, prefix: 'van der' },
      relationship: 'DAUC',
      telecom: { email: `relation${i}@example.nl`, phone: '+31201234567' },
      start: '2020-01-01',
    };
    yield `${i === 0 ? '' : ',\n'}${JSON.stringify(relation, null, 2).replace(/^/gm, '    ')}`;
  }
  yield '\n  ],\n  "portalRegistrations": [],\n  "portalAuthorisations": [],\n  "clientAgreements": []\n}\n';
}

function* csvRows(header: string, rows: number, row: (i: number) => string): Generator<string> {
  yield `${header}\r\n`;
  for (let i = 0; i < rows; i++) yield `${row(i)}\r\n`;
}

describe('reading large exports with bounded memory', () => {
  it('stops at an over-long string in a 100 MB file without buffering it', async () => {
    const path = join(tempDir('giant'), 'giant.json');
    const size = await writeStreamed(path, giantStringExport(100 * MB));
    expect(size).toBeGreaterThan(100 * MB);
    const start = heapUsed();
    const { error } = await failure(readEcdJson(path));
    const growth = heapUsed() - start;
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.reason).toBe('string longer than 65536 characters, starting at line 2, column 13');
    expect(error.field).toBe('format');
    expect(growth).toBeLessThan(30 * MB);
  });

  it('stops at an over-long quoted CSV field without buffering it', async () => {
    const dir = tempDir('giant-csv');
    writeFileSync(join(dir, 'organisation.csv'), 'format,version,exported_at,id\ninzage-ecd-export,1,t,o\n');
    await writeStreamed(join(dir, 'clients.csv'), ['id,family_name\nc1,"', ...letters(20 * MB), '"\n']);
    const start = heapUsed();
    const { error } = await failure(readEcdCsvDirectory(dir));
    expect(heapUsed() - start).toBeLessThan(30 * MB);
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.field).toBe('family_name');
    expect(error.position).toEqual({ file: join(dir, 'clients.csv'), line: 2, index: 0 });
  });

  it('streams 20,000 clients and 30,000 relations from JSON', async () => {
    const path = join(tempDir('clients'), 'export.json');
    const size = await writeStreamed(path, clientsExport(20_000, 30_000));
    const { count, growth, ms } = await consume(readEcdJson(path));
    expect(count).toBe(1 + 20_000 * 3 + 30_000);
    expect(growth).toBeLessThan(30 * MB);
    console.log(
      `JSON: ${(size / MB).toFixed(1)} MiB, ${count} records in ${ms.toFixed(0)} ms ` +
        `(${(size / MB / (ms / 1000)).toFixed(0)} MiB/s), retained heap grew by at most ${(growth / MB).toFixed(1)} MiB`,
    );
  });

  it('streams 20,000 clients, 40,000 care agreements and 30,000 relations from CSV', async () => {
    const dir = tempDir('clients-csv');
    writeFileSync(
      join(dir, 'organisation.csv'),
      'format;version;exported_at;id;name\r\ninzage-ecd-export;1;2026-11-23T10:15:00+01:00;meerzicht;Meerzicht Zorg\r\n',
    );
    let size = 0;
    size += await writeStreamed(
      join(dir, 'clients.csv'),
      csvRows(
        'id;bsn;given_names;family_name;name_prefix;birth_date;gender;email;mobile;capacity_capable;capacity_assessed_on;capacity_assessor_role',
        20_000,
        (i) =>
          `c${i};123456782;Jan Pieter;"Vries-${i}";de;1940-02-01;male;client${i}@example.nl;+31612345678;ja;2025-03-01;physician`,
      ),
    );
    size += await writeStreamed(
      join(dir, 'care-agreements.csv'),
      csvRows(
        'id;client_id;care_type;start;end',
        40_000,
        (i) => `z${i};c${i >> 1};elderly-care;2020-01-01;2023-12-31`,
      ),
    );
    size += await writeStreamed(
      join(dir, 'relations.csv'),
      csvRows(
        'id;client_id;role;given_names;family_name;name_prefix;relationship;email;phone;start',
        30_000,
        (i) =>
          `r${i};c${i % 20_000};first-contact-person;Anna;"Jansen\r\n${i}";van der;DAUC;relation${i}@example.nl;+31201234567;2020-01-01`,
      ),
    );
    const { count, growth, ms } = await consume(readEcdCsvDirectory(dir));
    expect(count).toBe(1 + 20_000 + 40_000 + 30_000);
    expect(growth).toBeLessThan(30 * MB);
    console.log(
      `CSV: ${(size / MB).toFixed(1)} MiB, ${count} records in ${ms.toFixed(0)} ms ` +
        `(${(size / MB / (ms / 1000)).toFixed(0)} MiB/s), retained heap grew by at most ${(growth / MB).toFixed(1)} MiB`,
    );
  });
});
