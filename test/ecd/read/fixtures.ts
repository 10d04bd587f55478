import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EcdReadError, type EcdRecord } from '../../../src/ecd/read';

/**
 * A small but complete export, pretty-printed by hand so that the lines asserted in the tests can be
 * checked by eye: the line number of every record is noted in the comment next to the expectations.
 */
export const SMALL_EXPORT_JSON = `{
  "format": "inzage-ecd-export",
  "version": 1,
  "exportedAt": "2026-11-23T10:15:00+01:00",
  "organisation": {
    "id": "meerzicht",
    "name": "Meerzicht Zorg",
    "ura": "12345678"
  },
  "clients": [
    {
      "id": "c1",
      "bsn": "123456782",
      "name": { "given": ["Jan", "Pieter"], "family": "Vries", "prefix": "de" },
      "birthDate": "1940-02-01",
      "gender": "male",
      "telecom": { "email": "jan@example.nl", "mobile": "+31612345678" },
      "careAgreements": [
        { "id": "z1", "careType": "elderly-care", "start": "2024-01-01" },
        {
          "id": "z2",
          "careType": "elderly-care",
          "start": "2020-01-01",
          "end": "2023-12-31"
        }
      ],
      "administratorCapacity": { "capable": false, "assessedOn": "2025-03-01", "assessorRole": "physician" }
    },
    {
      "id": "c2",
      "name": { "given": ["Fatima"], "family": "Yılmaz" },
      "birthDate": "2012-06-30",
      "gender": "female",
      "careAgreements": [{ "id": "z3", "careType": "disability-care", "start": "2022-05-01" }]
    }
  ],
  "relations": [
    {
      "id": "r1",
      "clientId": "c1",
      "role": "first-contact-person",
      "name": { "given": ["Anna"], "family": "Vries", "prefix": "de" },
      "relationship": "DAUC",
      "telecom": { "email": "anna@example.nl" }
    },
    {
      "id": "r2",
      "clientId": "c2",
      "role": "parent",
      "name": { "given": ["Ahmet"], "family": "Yılmaz" },
      "parentalAuthority": true,
      "start": "2012-06-30"
    }
  ],
  "portalRegistrations": [
    {
      "id": "p1",
      "clientId": "c1",
      "person": { "kind": "relation", "relationId": "r1" },
      "registeredOn": "2026-01-05",
      "requestedRole": "administrator"
    },
    { "id": "p2", "clientId": "c2", "person": { "kind": "client" }, "registeredOn": "2026-02-01", "requestedRole": "client" }
  ],
  "portalAuthorisations": [
    {
      "id": "a1",
      "clientId": "c1",
      "grantedBy": { "kind": "client" },
      "granteeRelationId": "r1",
      "sections": ["reports", "appointments"],
      "grantedOn": "2026-01-06",
      "withdrawal": { "requestReceivedAt": "2026-03-01T09:00:00+01:00" }
    }
  ],
  "clientAgreements": [
    {
      "id": "k1",
      "clientId": "c1",
      "subject": "first-contact-person-as-administrator",
      "relationId": "r1",
      "agreed": true,
      "recordedOn": "2026-01-05"
    }
  ]
}
`;

/** The same export as a directory of CSV files, written the way a Dutch Excel would (`;`, CRLF, BOM). */
export const SMALL_EXPORT_CSV: Record<string, string> = {
  'organisation.csv':
    '\uFEFFformat;version;exported_at;id;name;ura;agb\r\ninzage-ecd-export;1;2026-11-23T10:15:00+01:00;meerzicht;Meerzicht Zorg;12345678;\r\n',
  'clients.csv': [
    'id;bsn;given_names;family_name;name_prefix;birth_date;gender;email;mobile;phone;deceased_date;capacity_capable;capacity_assessed_on;capacity_assessor_role',
    'c1;123456782;Jan Pieter;Vries;de;1940-02-01;male;jan@example.nl;+31612345678;;;nee;2025-03-01;physician',
    'c2;;Fatima;Yılmaz;;2012-06-30;female;;;;;;;',
    '',
  ].join('\r\n'),
  'care-agreements.csv':
    'id,client_id,care_type,start,end\nz1,c1,elderly-care,2024-01-01,\nz2,c1,elderly-care,2020-01-01,2023-12-31\nz3,c2,disability-care,2022-05-01,\n',
  'relations.csv':
    'id,client_id,role,given_names,family_name,name_prefix,relationship,parental_authority,email,mobile,phone,start,end\n' +
    'r1,c1,first-contact-person,Anna,Vries,de,DAUC,,anna@example.nl,,,,\n' +
    'r2,c2,parent,Ahmet,Yılmaz,,,JA,,,,2012-06-30,\n',
  'portal-registrations.csv':
    'id,client_id,person,registered_on,requested_role\np1,c1,relation:r1,2026-01-05,administrator\np2,c2,client,2026-02-01,client\n',
  'portal-authorisations.csv':
    'id,client_id,granted_by,grantee_relation_id,sections,granted_on,withdrawal_request_received_at\n' +
    'a1,c1,client,r1,reports|appointments,2026-01-06,2026-03-01T09:00:00+01:00\n',
  'client-agreements.csv':
    'id,client_id,subject,relation_id,agreed,recorded_on\nk1,c1,first-contact-person-as-administrator,r1,1,2026-01-05\n',
};

let tempRoot: string | undefined;

/** A fresh directory under one temporary root per test file. */
export function tempDir(prefix = 'x'): string {
  tempRoot ??= mkdtempSync(join(tmpdir(), 'inzage-ecd-read-'));
  return mkdtempSync(join(tempRoot, `${prefix}-`));
}

/** Removes what `tempDir` made; the large-file tests leave over 100 MB behind otherwise. */
export function removeTempDirs(): void {
  if (tempRoot !== undefined) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

export function writeCsvDir(files: Record<string, string>): string {
  const dir = tempDir('csv');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export async function collect(records: AsyncIterable<EcdRecord>): Promise<EcdRecord[]> {
  const out: EcdRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** The error a reader ends with, together with the records it yielded before. */
export async function failure(
  records: AsyncIterable<EcdRecord>,
): Promise<{ error: EcdReadError; before: EcdRecord[] }> {
  const before: EcdRecord[] = [];
  try {
    for await (const record of records) before.push(record);
  } catch (err) {
    if (err instanceof EcdReadError) return { error: err, before };
    throw err;
  }
  throw new Error(`expected an EcdReadError, but the reader yielded ${before.length} records and ended`);
}

/** Splits bytes into chunks of the given sizes (cycling through them). */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[k++ % sizes.length]!);
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** A small deterministic PRNG, so that a failing random chunking can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/** Records without their positions, in a stable order, for comparing two forms of the same export. */
export function contentOf(
  records: readonly EcdRecord[],
): { entity: string; record: Record<string, unknown> }[] {
  return records
    .map(({ entity, record }) => ({ entity, record }))
    .sort((a, b) => `${a.entity}/${String(a.record.id)}`.localeCompare(`${b.entity}/${String(b.record.id)}`));
}

/** Forces a full garbage collection, so heap figures measure what is retained, not what is pending. */
export function exposeGc(): () => void {
  // Jest cannot pass --expose-gc to its workers; setting the flag and then creating a context exposes it.
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
