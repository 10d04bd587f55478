import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A large, valid ECD export for benchmarks, written as a stream (so that writing it does not itself
 * need the memory the import must not need). Deterministic: the same counts give the same file.
 */
export interface SyntheticExportOptions {
  clients: number;
  relationsPerClient: number;
  /** Records whose content differs from the base export (for incremental sync). */
  changed?: ReadonlySet<number>;
  /** Write a delta export holding only the changed clients. */
  delta?: boolean;
}

const GIVEN = [
  'Anna',
  'Bram',
  'Cor',
  'Daan',
  'Eva',
  'Fenna',
  'Gert',
  'Hanna',
  'Ilse',
  'Jan',
  'Kees',
  'Lotte',
];
const FAMILY = ['Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks'];
const ROLES = ['first-contact-person', 'second-contact-person', 'mentor', 'other', 'financial-administrator'];

/** The n-th synthetic BSN that passes the eleven-test, from a range starting with 9 (not issued). */
export function syntheticBsn(n: number): string {
  for (let candidate = n * 11; ; candidate += 1) {
    const head = `9${String(candidate % 10_000_000).padStart(7, '0')}`;
    let sum = 0;
    for (let i = 0; i < 8; i += 1) sum += Number(head[i]) * (9 - i);
    const check = sum % 11;
    if (check < 10) return `${head}${check}`;
  }
}

function syntheticClient(i: number, changed: boolean): Record<string, unknown> {
  const family = FAMILY[i % FAMILY.length]!;
  return {
    id: `c${i}`,
    bsn: syntheticBsn(i),
    name: { given: [GIVEN[i % GIVEN.length]!], family: changed ? `${family}-Nieuw` : family },
    birthDate: `19${30 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`,
    gender: i % 2 === 0 ? 'female' : 'male',
    careAgreements: [{ id: `z${i}`, careType: 'elderly-care', start: '2020-01-01' }],
  };
}

export async function writeSyntheticExport(path: string, options: SyntheticExportOptions): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const changed = options.changed ?? new Set<number>();
  await write(
    `{"format":"inzage-ecd-export","version":1,"exportedAt":"2026-11-23T06:00:00+01:00",` +
      `${options.delta ? '"mode":"delta",' : ''}"organisation":{"id":"meerzicht","name":"Zorgcentrum Meerzicht (bench)"},\n"clients":[\n`,
  );
  if (options.delta) {
    let first = true;
    for (const i of changed) {
      await write(`${first ? '' : ',\n'}${JSON.stringify(syntheticClient(i, true))}`);
      first = false;
    }
    await write(
      '\n],"relations":[],"portalRegistrations":[],"portalAuthorisations":[],"clientAgreements":[]}\n',
    );
    out.end();
    await once(out, 'finish');
    return bytes;
  }
  for (let i = 0; i < options.clients; i += 1) {
    await write(`${i === 0 ? '' : ',\n'}${JSON.stringify(syntheticClient(i, changed.has(i)))}`);
  }
  await write('\n],\n"relations":[\n');
  let first = true;
  for (let i = 0; i < options.clients; i += 1) {
    for (let r = 0; r < options.relationsPerClient; r += 1) {
      const relation = {
        id: `r${i}-${r}`,
        clientId: `c${i}`,
        role: ROLES[r % ROLES.length],
        name: { given: [GIVEN[(i + r) % GIVEN.length]!], family: FAMILY[(i + r) % FAMILY.length]! },
        telecom: {
          email: `r${i}-${r}@example.nl`,
          mobile: `+316${String(10_000_000 + ((i * 7 + r) % 89_999_999))}`,
        },
      };
      await write(`${first ? '' : ',\n'}${JSON.stringify(relation)}`);
      first = false;
    }
  }
  await write('\n],\n"portalRegistrations":[\n');
  for (let i = 0; i < options.clients; i += 1) {
    const registration = {
      id: `g${i}`,
      clientId: `c${i}`,
      person: { kind: 'client' },
      registeredOn: '2024-03-01',
      requestedRole: 'client',
    };
    await write(`${i === 0 ? '' : ',\n'}${JSON.stringify(registration)}`);
  }
  await write('\n],\n"portalAuthorisations":[\n');
  for (let i = 0; i < options.clients; i += 1) {
    const authorisation = {
      id: `a${i}`,
      clientId: `c${i}`,
      grantedBy: { kind: 'client' },
      granteeRelationId: `r${i}-0`,
      sections: ['reports', 'appointments'],
      grantedOn: '2024-03-01',
    };
    await write(`${i === 0 ? '' : ',\n'}${JSON.stringify(authorisation)}`);
  }
  await write('\n],\n"clientAgreements":[]}\n');
  out.end();
  await once(out, 'finish');
  return bytes;
}
