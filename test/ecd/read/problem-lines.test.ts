import { join } from 'node:path';
import {
  EcdImportError,
  importEcdExport,
  readEcdCsvDirectory,
  readEcdExport,
  readEcdJsonStream,
  type EcdRecord,
  type ImportOptions,
} from '../../../src/ecd';
import { migrate, openStore, type Store } from '../../../src/store';
import { asJson, lineOf, ORGANISATIONS, smallExport } from '../fixtures';
import { removeTempDirs, writeCsvDir } from './fixtures';

const NOW = new Date('2026-11-23T10:00:00+01:00');

let store: Store;

beforeAll(async () => {
  store = await openStore({ driver: 'pglite' });
  await migrate(store);
});

afterAll(async () => {
  await store.close();
  removeTempDirs();
});

/** The problems an import of `records` ends with (it must end with some). */
async function problemsOf(
  records: AsyncIterable<EcdRecord>,
  options: Partial<ImportOptions> = {},
): Promise<EcdImportError> {
  try {
    await importEcdExport(store, records, {
      organisations: ORGANISATIONS,
      source: 'test',
      now: NOW,
      ...options,
    });
  } catch (err) {
    if (err instanceof EcdImportError) return err;
    throw err;
  }
  throw new Error('expected the import to fail');
}

const ORGANISATION_CSV =
  'format,version,exported_at,id,name\ninzage-ecd-export,1,2026-11-23T06:00:00+01:00,meerzicht,Meerzicht\n';
const CLIENTS_HEADER = 'id,bsn,given_names,family_name,birth_date,gender';

describe('B10: every problem of a record, each on its own line', () => {
  it('B10: a JSON record with three bad fields on three lines gives three problems on those lines', async () => {
    const exp = smallExport() as unknown as { clients: Record<string, unknown>[] };
    exp.clients[1]!.bsn = '123456789';
    exp.clients[1]!.birthDate = 19410930;
    exp.clients[1]!.gender = 'M';
    const text = asJson(exp);
    const err = await problemsOf(readEcdJsonStream([text], 'export.json'));
    const found = err.problems.map((p) => [p.field, p.line, p.recordId]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['bsn', lineOf(text, '"bsn": "123456789"'), 'c2'],
        ['birthDate', lineOf(text, '"birthDate": 19410930'), 'c2'],
        ['gender', lineOf(text, '"gender": "M"'), 'c2'],
      ]),
    );
    expect(err.problems).toHaveLength(3);
    expect(new Set(err.problems.map((p) => p.line)).size).toBe(3);
    expect(err.detail).toContain(
      `export.json line ${lineOf(text, '"gender": "M"')} clients[1] (id c2): gender:`,
    );
  });

  it('B10: a missing field is reported on the line of the object it is missing from', async () => {
    const exp = smallExport() as unknown as { clients: Record<string, Record<string, unknown>>[] };
    delete exp.clients[1]!.gender;
    delete exp.clients[0]!.name!.family;
    const text = asJson(exp);
    const err = await problemsOf(readEcdJsonStream([text], 'export.json'));
    expect(err.problems.map((p) => [p.recordId, p.field, p.line])).toEqual([
      ['c1', 'name.family', lineOf(text, '"name": {')],
      ['c2', 'gender', lineOf(text, '"id": "c2"') - 1],
    ]);
  });

  it('B10: a problem of a nested care agreement is on its own line', async () => {
    const exp = smallExport() as unknown as { clients: { careAgreements: Record<string, unknown>[] }[] };
    exp.clients[0]!.careAgreements[0]!.start = '2024-02-30';
    const text = asJson(exp);
    const err = await problemsOf(readEcdJsonStream([text], 'export.json'));
    expect(err.problems.map((p) => [p.entity, p.recordId, p.field, p.line])).toEqual([
      ['careAgreements', 'z1', 'start', lineOf(text, '"start": "2024-02-30"')],
    ]);
  });

  it('B10: a CSV row with two bad fields gives two problems, on the row line', async () => {
    const dir = writeCsvDir({
      'organisation.csv': ORGANISATION_CSV,
      'clients.csv': `${CLIENTS_HEADER}\nc1,999990019,Anna,Vries,1938-04-12,female\nc2,,Bert,Jansen,30-09-1941,M\n`,
    });
    const err = await problemsOf(readEcdCsvDirectory(dir));
    expect(err.problems.map((p) => [p.file, p.line, p.index, p.recordId, p.field])).toEqual([
      [join(dir, 'clients.csv'), 3, 1, 'c2', 'birthDate'],
      [join(dir, 'clients.csv'), 3, 1, 'c2', 'gender'],
    ]);
  });

  it('B10: in a CSV row over several lines, a field after a quoted line break is on its own line', async () => {
    const dir = writeCsvDir({
      'organisation.csv': ORGANISATION_CSV,
      'clients.csv': `${CLIENTS_HEADER}\r\nc1,123456789,"Anna\r\nMaria",Vries,1938-04-12,F\r\n`,
    });
    const err = await problemsOf(readEcdCsvDirectory(dir));
    expect(err.problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'gender'],
      [2, 'bsn'],
    ]);
  });

  it('B10: the problem cap still holds when one record has more problems than the cap', async () => {
    const exp = smallExport() as unknown as { clients: Record<string, unknown>[] };
    exp.clients[1]!.bsn = '123456789';
    exp.clients[1]!.birthDate = 19410930;
    exp.clients[1]!.gender = 'M';
    const err = await problemsOf(readEcdJsonStream([asJson(exp)], 'export.json'), { maxProblems: 2 });
    expect(err.problems).toHaveLength(2);
    expect(err.truncated).toBe(true);
  });
});

describe('B10: a problem with the file as a whole has no line', () => {
  async function expectNoLine(records: AsyncIterable<EcdRecord>, reason: RegExp): Promise<void> {
    const err = await problemsOf(records);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.reason).toMatch(reason);
    expect(err.problems[0]!.line).toBeUndefined();
    expect(`${err.message}\n${err.detail}`).not.toMatch(/line 0/);
    // The problem is described as one with the file: its name, then the reason, no line between.
    expect(`${err.message}\n${err.detail}`).not.toMatch(/\.(json|csv|xml) line /);
  }

  it('B10: an empty JSON file', async () => {
    await expectNoLine(readEcdJsonStream([''], 'export.json'), /^the file is empty/);
  });

  it('B10: a JSON export without its arrays', async () => {
    const text = asJson({ format: 'inzage-ecd-export', version: 1, exportedAt: 't', organisation: {} });
    await expectNoLine(readEcdJsonStream([text], 'export.json'), /^missing top-level fields 'clients'/);
  });

  it('B10: an empty CSV file, a missing one, an unexpected one, a path that is no export', async () => {
    await expectNoLine(
      readEcdCsvDirectory(writeCsvDir({ 'organisation.csv': ORGANISATION_CSV, 'clients.csv': '\uFEFF' })),
      /^the file is empty/,
    );
    await expectNoLine(
      readEcdCsvDirectory(writeCsvDir({ 'organisation.csv': ORGANISATION_CSV })),
      /^missing clients.csv/,
    );
    await expectNoLine(
      readEcdCsvDirectory(writeCsvDir({ 'organisation.csv': ORGANISATION_CSV, 'client.csv': '' })),
      /^unexpected file client.csv/,
    );
    const dir = writeCsvDir({ 'export.xml': '<export/>' });
    await expectNoLine(readEcdExport(join(dir, 'export.xml')), /^an export is a .json file or a directory/);
    await expectNoLine(readEcdExport(join(dir, 'missing.json')), /^cannot read the export: ENOENT/);
  });

  it('B10: a wrong format marker is reported on its own line, which is never line 0', async () => {
    const text = asJson({ ...smallExport(), format: 'other' });
    const err = await problemsOf(readEcdJsonStream([text], 'export.json'));
    expect(err.problems.map((p) => [p.field, p.line])).toEqual([['format', 2]]);
    expect(`${err.message}\n${err.detail}`).not.toMatch(/line 0/);
  });
});
