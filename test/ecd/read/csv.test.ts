import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEcdCsvDirectory, readEcdExport, readEcdJsonStream, type EcdRecord } from '../../../src/ecd/read';
import { CSV_FILES } from '../../../src/ecd/read/csv-files';
import { csvFileBatches } from '../../../src/ecd/read/csv-reader';
import { EcdReadError, resolveLimits } from '../../../src/ecd/read/types';
import {
  chunked,
  collect,
  contentOf,
  failure,
  prng,
  SMALL_EXPORT_CSV,
  SMALL_EXPORT_JSON,
  removeTempDirs,
  writeCsvDir,
} from './fixtures';

afterAll(removeTempDirs);

const ORGANISATION =
  'format,version,exported_at,id,name\ninzage-ecd-export,1,2026-11-23T10:15:00+01:00,o,O\n';
const CLIENTS_HEADER = 'id,given_names,family_name,birth_date,gender';

/** An export with a valid organisation, a client file and whatever else the test adds. */
function exportDir(files: Record<string, string>): string {
  return writeCsvDir({
    'organisation.csv': ORGANISATION,
    'clients.csv': `${CLIENTS_HEADER}\nc1,Jan,Vries,1940-02-01,male\n`,
    ...files,
  });
}

function of(records: readonly EcdRecord[], entity: string): EcdRecord[] {
  return records.filter((r) => r.entity === entity);
}

describe('readEcdCsvDirectory on a complete export', () => {
  it('yields the same records as the JSON form of the same export', async () => {
    const csv = await collect(readEcdCsvDirectory(writeCsvDir(SMALL_EXPORT_CSV)));
    const json = await collect(readEcdJsonStream([SMALL_EXPORT_JSON], 'export.json'));
    expect(csv).toHaveLength(json.length);
    expect(contentOf(csv)).toEqual(contentOf(json));
  });

  it('yields the files in a fixed order, each record with its line and data row index', async () => {
    const dir = writeCsvDir(SMALL_EXPORT_CSV);
    const records = await collect(readEcdCsvDirectory(dir));
    expect(
      records.map((r) => `${r.entity} ${String(r.record.id)} ${r.position.line} ${r.position.index}`),
    ).toEqual([
      'organisation meerzicht 2 0',
      'clients c1 2 0',
      'clients c2 3 1',
      'careAgreements z1 2 0',
      'careAgreements z2 3 1',
      'careAgreements z3 4 2',
      'relations r1 2 0',
      'relations r2 3 1',
      'portalRegistrations p1 2 0',
      'portalRegistrations p2 3 1',
      'portalAuthorisations a1 2 0',
      'clientAgreements k1 2 0',
    ]);
    expect(records[0]!.position.file).toBe(join(dir, 'organisation.csv'));
    expect(records[3]!.position.file).toBe(join(dir, 'care-agreements.csv'));
  });

  it('builds nested records from the column names, leaving out what is empty', async () => {
    const records = await collect(readEcdCsvDirectory(writeCsvDir(SMALL_EXPORT_CSV)));
    expect(of(records, 'organisation')[0]!.record).toEqual({
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: '2026-11-23T10:15:00+01:00',
      id: 'meerzicht',
      name: 'Meerzicht Zorg',
      ura: '12345678',
    });
    expect(of(records, 'clients').map((r) => r.record)).toEqual([
      {
        id: 'c1',
        bsn: '123456782',
        name: { given: ['Jan', 'Pieter'], family: 'Vries', prefix: 'de' },
        birthDate: '1940-02-01',
        gender: 'male',
        telecom: { email: 'jan@example.nl', mobile: '+31612345678' },
        administratorCapacity: { capable: false, assessedOn: '2025-03-01', assessorRole: 'physician' },
      },
      { id: 'c2', name: { given: ['Fatima'], family: 'Yılmaz' }, birthDate: '2012-06-30', gender: 'female' },
    ]);
    expect(of(records, 'portalAuthorisations')[0]!.record).toEqual({
      id: 'a1',
      clientId: 'c1',
      grantedBy: { kind: 'client' },
      granteeRelationId: 'r1',
      sections: ['reports', 'appointments'],
      grantedOn: '2026-01-06',
      withdrawal: { requestReceivedAt: '2026-03-01T09:00:00+01:00' },
    });
  });

  it('treats missing optional files as none, and ignores files that are not .csv', async () => {
    const dir = exportDir({ 'README.txt': 'exported by ECD 4.2' });
    mkdirSync(join(dir, 'archive'));
    const records = await collect(readEcdCsvDirectory(dir));
    expect(records.map((r) => r.entity)).toEqual(['organisation', 'clients']);
    expect(await collect(readEcdExport(dir))).toEqual(records);
  });
});

describe('CSV dialects', () => {
  it('reads ; and , separated files alike, with or without BOM and CRLF', async () => {
    const comma = `${CLIENTS_HEADER}\nc1,Jan Pieter,Vries,1940-02-01,male\n`;
    const semicolon = `\uFEFF${comma.replaceAll(',', ';').replaceAll('\n', '\r\n')}`;
    const a = await collect(readEcdCsvDirectory(exportDir({ 'clients.csv': comma })));
    const b = await collect(readEcdCsvDirectory(exportDir({ 'clients.csv': semicolon })));
    expect(contentOf(b)).toEqual(contentOf(a));
    expect(of(b, 'clients')[0]!.record.name).toEqual({ given: ['Jan', 'Pieter'], family: 'Vries' });
    expect(of(b, 'clients')[0]!.position.line).toBe(2);
  });

  it('detects the separator from the header even when a field holds the other one', async () => {
    const clients = 'id;family_name;given_names\nc1;"Vries, de";Jan\nc2;Smit,Jansen;Piet\n';
    const records = of(await collect(readEcdCsvDirectory(exportDir({ 'clients.csv': clients }))), 'clients');
    expect(records.map((r) => r.record.name)).toEqual([
      { family: 'Vries, de', given: ['Jan'] },
      { family: 'Smit,Jansen', given: ['Piet'] },
    ]);
  });

  it('keeps line numbers right across quoted line breaks, and keeps the breaks in the value', async () => {
    const relations =
      'id,client_id,role,family_name,relationship\r\n' +
      'r1,c1,other,"Vries\r\nde\r\nJong",\r\n' +
      'r2,c1,"mentor","Smit ""de Oude""","a,b"\r\n' +
      '"r3",c1,other,"\n\n\n",\r\n' +
      'r4,c1,other,Jansen,\r\n';
    const records = of(
      await collect(readEcdCsvDirectory(exportDir({ 'relations.csv': relations }))),
      'relations',
    );
    expect(records.map((r) => [r.record.id, r.position.line, r.position.index])).toEqual([
      ['r1', 2, 0],
      ['r2', 5, 1],
      ['r3', 6, 2],
      ['r4', 10, 3],
    ]);
    expect(records.map((r) => r.record.name)).toEqual([
      { family: 'Vries\r\nde\r\nJong' },
      { family: 'Smit "de Oude"' },
      { family: '\n\n\n' },
      { family: 'Jansen' },
    ]);
    expect(records[1]!.record).toMatchObject({ role: 'mentor', relationship: 'a,b' });
  });

  it('skips blank lines and rows of only empty fields, and reads a last row without a line break', async () => {
    const clients =
      `${CLIENTS_HEADER}\n` + 'c1,Jan,Vries,1940-02-01,male\n\n,,,,\n"",,,,\nc2,Piet,Smit,1950-01-01,male';
    const records = of(await collect(readEcdCsvDirectory(exportDir({ 'clients.csv': clients }))), 'clients');
    expect(records.map((r) => [r.record.id, r.position.line, r.position.index])).toEqual([
      ['c1', 2, 0],
      ['c2', 6, 1],
    ]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['ja', true],
    ['Ja', true],
    ['1', true],
    ['false', false],
    ['nee', false],
    ['NEE', false],
    ['0', false],
    ['misschien', 'misschien'],
    ['2', '2'],
  ])('reads boolean %j as %j', async (text, value) => {
    const agreements = `id,client_id,agreed\nk1,c1,${text}\n`;
    const records = await collect(readEcdCsvDirectory(exportDir({ 'client-agreements.csv': agreements })));
    expect(of(records, 'clientAgreements')[0]!.record.agreed).toEqual(value);
  });

  it.each([
    ['client', { kind: 'client' }],
    ['relation:r1', { kind: 'relation', relationId: 'r1' }],
    ['relation:r-2.x', { kind: 'relation', relationId: 'r-2.x' }],
    ['relation:', 'relation:'],
    ['r1', 'r1'],
    ['mentor:r1', 'mentor:r1'],
  ])('reads person %j', async (text, value) => {
    const registrations = `id,client_id,person\np1,c1,${text}\n`;
    const authorisations = `id,client_id,granted_by\na1,c1,${text}\n`;
    const records = await collect(
      readEcdCsvDirectory(
        exportDir({ 'portal-registrations.csv': registrations, 'portal-authorisations.csv': authorisations }),
      ),
    );
    expect(of(records, 'portalRegistrations')[0]!.record.person).toEqual(value);
    expect(of(records, 'portalAuthorisations')[0]!.record.grantedBy).toEqual(value);
  });

  it('reads section lists separated by | or ;', async () => {
    const authorisations =
      'id;client_id;sections\na1;c1;reports|care-plan\na2;c1;"reports; medication ;documents"\na3;c1; | \na4;c1;basic-details\n';
    const records = await collect(
      readEcdCsvDirectory(exportDir({ 'portal-authorisations.csv': authorisations })),
    );
    expect(of(records, 'portalAuthorisations').map((r) => r.record.sections)).toEqual([
      ['reports', 'care-plan'],
      ['reports', 'medication', 'documents'],
      undefined,
      ['basic-details'],
    ]);
  });

  it('reads the export mode from organisation.csv', async () => {
    const organisation = 'format,version,exported_at,mode,id\ninzage-ecd-export,1,t,delta,o\n';
    const records = await collect(readEcdCsvDirectory(exportDir({ 'organisation.csv': organisation })));
    expect(records[0]!.record).toEqual({
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: 't',
      mode: 'delta',
      id: 'o',
    });
  });

  it('reads a numeric version as a number and passes anything else through to the check', async () => {
    const { error } = await failure(
      readEcdCsvDirectory(exportDir({ 'organisation.csv': ORGANISATION.replace(',1,', ',one,') })),
    );
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe("version must be the number 1 (got 'one'), at line 2");
    expect(error.field).toBe('version');
  });
});

describe('CSV structure errors', () => {
  it('refuses an unknown column, naming file and column', async () => {
    const dir = exportDir({ 'relations.csv': 'id,client_id,nickname\nr1,c1,Ome Jan\n' });
    const { error, before } = await failure(readEcdCsvDirectory(dir));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.field).toBe('nickname');
    expect(error.position).toEqual({ file: join(dir, 'relations.csv'), line: 1 });
    expect(error.reason).toMatch(
      /^unknown column 'nickname' in relations.csv at line 1; expected id, client_id, role/,
    );
    expect(before.map((r) => r.entity)).toEqual(['organisation', 'clients']);
  });

  it.each([
    ['clients.csv', 'given_names,family_name\nJan,Vries\n', 'id'],
    ['care-agreements.csv', 'id,care_type\nz1,elderly-care\n', 'client_id'],
    ['client-agreements.csv', 'client_id,agreed\nc1,ja\n', 'id'],
  ])('refuses %s without a required column', async (file, text, column) => {
    const { error } = await failure(readEcdCsvDirectory(exportDir({ [file]: text })));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.field).toBe(column);
    expect(error.reason).toBe(`missing required column '${column}' in ${file}, at line 1`);
  });

  it('refuses a column named twice', async () => {
    const { error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': 'id,gender,gender\n' })));
    expect(error.reason).toBe("column 'gender' appears twice in the header, at line 1");
  });

  it('refuses a row with more or fewer fields than the header, naming its line', async () => {
    const more = `${CLIENTS_HEADER}\nc1,Jan,Vries,1940-02-01,male\n"c2","Piet\nJan",Smit,1950-01-01,male,extra\n`;
    let { error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': more })));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe('row has more than 5 fields, at line 3');
    expect(error.position.index).toBe(1);
    const fewer = `${CLIENTS_HEADER}\nc1,Jan,Vries,1940-02-01,male\nc2,Piet,Smit\n`;
    ({ error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': fewer }))));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe('row has 3 fields but the header has 5, at line 3');
  });

  it('reports an unterminated quote as a truncated file', async () => {
    const text = `${CLIENTS_HEADER}\nc1,Jan,"Vries,1940-02-01,male\nc2,Piet,Smit,1950-01-01,male\n`;
    const { error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': text })));
    expect(error.code).toBe('ERR_ECD_TRUNCATED');
    // csv-parse tells which field, not at which column; the field is named below.
    expect(error.reason).toBe(
      'file ends inside the quoted field that starts at line 2 (is a closing quote missing?), at line 4',
    );
    expect(error.field).toBe('family_name');
  });

  it('refuses text after a closing quote, and a carriage return without a line feed', async () => {
    let { error } = await failure(
      readEcdCsvDirectory(exportDir({ 'clients.csv': `${CLIENTS_HEADER}\nc1,"Jan"x,V,d,m\n` })),
    );
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe(
      'unexpected character after the closing quote of the field that starts at line 2 ' +
        '(a quote inside a quoted field is written as "")',
    );
    expect(error.field).toBe('given_names');
    expect(error.position).toMatchObject({ line: 2, index: 0 });
    ({ error } = await failure(
      readEcdCsvDirectory(exportDir({ 'clients.csv': `${CLIENTS_HEADER}\rc1,J,V,d,m\n` })),
    ));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe('carriage return not followed by a line feed at line 1');
  });

  it('refuses a quote inside a field that does not start with one (RFC 4180, as Excel writes)', async () => {
    const { error } = await failure(
      readEcdCsvDirectory(exportDir({ 'clients.csv': `${CLIENTS_HEADER}\nc1,Jan,Smit "de Oude",d,m\n` })),
    );
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe(
      'quote inside a field that does not start with one, at line 2 ' +
        '(quote the whole field, and write a quote inside it as "")',
    );
    expect(error.field).toBe('family_name');
  });

  it('refuses a row of more fields than the header before it has read them all', async () => {
    const text = `${CLIENTS_HEADER}\nc1,J,V,d,m${','.repeat(1_000_000)}\n`;
    const { error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': text })));
    expect(error.reason).toBe('row has more than 5 fields, at line 2');
    expect(error.position).toEqual({ file: expect.stringMatching(/clients\.csv$/), line: 2, index: 0 });
  });

  it('refuses a field longer than maxValueLength, naming its column', async () => {
    const text = `${CLIENTS_HEADER}\nc1,Jan,${'x'.repeat(41)},1940-02-01,male\n`;
    const dir = exportDir({ 'clients.csv': text });
    await expect(collect(readEcdCsvDirectory(dir, { maxValueLength: 41 }))).resolves.toHaveLength(2);
    const { error } = await failure(readEcdCsvDirectory(dir, { maxValueLength: 40 }));
    expect(error.code).toBe('ERR_ECD_VALUE_TOO_LONG');
    expect(error.field).toBe('family_name');
    expect(error.position).toEqual({ file: join(dir, 'clients.csv'), line: 2, index: 0 });
  });

  it('refuses an unknown .csv file before reading anything', async () => {
    const dir = exportDir({ 'client.csv': `${CLIENTS_HEADER}\n` });
    const { error, before } = await failure(readEcdCsvDirectory(dir));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe(
      'unexpected file client.csv; expected one of organisation.csv, clients.csv, care-agreements.csv, ' +
        'relations.csv, portal-registrations.csv, portal-authorisations.csv, client-agreements.csv',
    );
    expect(error.position).toEqual({ file: join(dir, 'client.csv') });
    expect(before).toEqual([]);
    expect((await failure(readEcdCsvDirectory(exportDir({ 'Clients.CSV': '' })))).error.reason).toMatch(
      /^unexpected file Clients.CSV;/,
    );
  });

  it('refuses a directory without organisation.csv or clients.csv', async () => {
    const noOrganisation = writeCsvDir({ 'clients.csv': `${CLIENTS_HEADER}\n` });
    let { error } = await failure(readEcdCsvDirectory(noOrganisation));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe('missing organisation.csv: an export must have one');
    expect(error.position).toEqual({ file: join(noOrganisation, 'organisation.csv') });
    ({ error } = await failure(readEcdCsvDirectory(writeCsvDir({ 'organisation.csv': ORGANISATION }))));
    expect(error.reason).toBe('missing clients.csv: an export must have one');
  });

  it('wants exactly one organisation row with a valid header', async () => {
    const header = ORGANISATION.split('\n')[0]!;
    let { error } = await failure(readEcdCsvDirectory(exportDir({ 'organisation.csv': `${header}\n` })));
    expect(error.reason).toBe('organisation.csv has no data row; it must have exactly one, at line 2');
    ({ error } = await failure(
      readEcdCsvDirectory(exportDir({ 'organisation.csv': `${ORGANISATION}x,1,t,o2,O\n` })),
    ));
    expect(error.reason).toBe('organisation.csv must have exactly one data row; another starts at line 3');
    ({ error } = await failure(
      readEcdCsvDirectory(exportDir({ 'organisation.csv': ORGANISATION.replace(',1,', ',2,') })),
    ));
    expect(error.reason).toBe('unsupported version 2: this gateway reads version 1, at line 2');
    ({ error } = await failure(
      readEcdCsvDirectory(exportDir({ 'organisation.csv': 'version,exported_at,id\n1,t,o\n' })),
    ));
    expect(error.reason).toBe("format must be 'inzage-ecd-export' (got nothing), at line 2");
    expect(error.field).toBe('format');
    ({ error } = await failure(
      readEcdCsvDirectory(exportDir({ 'organisation.csv': 'format,version,id\ninzage-ecd-export,1,o\n' })),
    ));
    expect(error.field).toBe('exported_at');
  });

  it('reports an empty file as truncated', async () => {
    for (const text of ['', '\uFEFF']) {
      const { error } = await failure(readEcdCsvDirectory(exportDir({ 'clients.csv': text })));
      expect(error.code).toBe('ERR_ECD_TRUNCATED');
      expect(error.reason).toBe('the file is empty: expected a header row');
    }
  });

  it('refuses invalid UTF-8 with its line and column', async () => {
    const dir = exportDir({});
    writeFileSync(
      join(dir, 'clients.csv'),
      Buffer.concat([Buffer.from(`${CLIENTS_HEADER}\nc1,J`), Buffer.from([0xe9]), Buffer.from('n,V,d,m\n')]),
    );
    const { error } = await failure(readEcdCsvDirectory(dir));
    expect(error.code).toBe('ERR_ECD_SYNTAX');
    expect(error.reason).toBe('invalid UTF-8 at line 2, column 5');
  });

  it('refuses an export path that is neither a .json file nor a directory', async () => {
    const dir = exportDir({});
    const { error } = await failure(readEcdExport(join(dir, 'clients.csv')));
    expect(error.code).toBe('ERR_ECD_STRUCTURE');
    expect(error.reason).toBe('an export is a .json file or a directory of .csv files; this is neither');
  });

  it('turns an unreadable directory into ERR_ECD_IO', async () => {
    const { error } = await failure(readEcdCsvDirectory('/nonexistent/inzage-export'));
    expect(error).toBeInstanceOf(EcdReadError);
    expect(error.code).toBe('ERR_ECD_IO');
    expect(error.position).toEqual({ file: '/nonexistent/inzage-export' });
  });
});

describe('chunk boundaries', () => {
  const relations = CSV_FILES.find((spec) => spec.name === 'relations.csv')!;
  const text =
    '\uFEFFid;client_id;family_name;given_names\r\n' +
    'r1;c1;"Vries\r\nde";"Jan\nPiet"\r\n\r\n' +
    '"r2";c1;"Smit ""de Oude""";"é😀"\n' +
    ';;;\n' +
    'r3;c1;"\n\n";x';
  const bytes = Buffer.from(text);

  async function readIn(chunks: Buffer[]): Promise<EcdRecord[]> {
    const records: EcdRecord[] = [];
    const batches = csvFileBatches(() => chunks, 'relations.csv', relations, resolveLimits(undefined));
    for await (const batch of batches) records.push(...batch);
    return records;
  }

  it('gives the same records, lines and field lines for any chunking', async () => {
    const whole = await readIn([bytes]);
    expect(whole.map((r) => [r.record.id, r.position.line, r.position.index])).toEqual([
      ['r1', 2, 0],
      ['r2', 6, 1],
      ['r3', 8, 2],
    ]);
    expect(whole[0]!.record.name).toEqual({ family: 'Vries\r\nde', given: ['Jan', 'Piet'] });
    expect(whole[1]!.record.name).toEqual({ family: 'Smit "de Oude"', given: ['é😀'] });
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const sizes = Array.from({ length: 10 }, () => 1 + Math.floor(random() * 6));
      expect({ seed, records: await readIn(chunked(bytes, sizes)) }).toEqual({ seed, records: whole });
    }
  });
});
