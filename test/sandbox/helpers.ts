import type { EcdClient, EcdExport } from '../../src/ecd';
import type { SandboxData } from '../../src/sandbox';

/** A fixed day, so failures can be reproduced; other tests move it around on purpose. */
export const TODAY = '2026-11-23';

/** Calendar arithmetic written again here, so the tests do not trust the code they test. */
export function shiftDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function age(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [oy, om, od] = on.split('-').map(Number) as [number, number, number];
  let years = oy - by;
  if (om < bm || (om === bm && od < bd)) {
    years--;
  }
  return years;
}

export function elevenTest(bsn: string): boolean {
  if (!/^\d{9}$/.test(bsn)) {
    return false;
  }
  const digits = bsn.split('').map(Number);
  const weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
  return digits.reduce((sum, digit, i) => sum + digit * (weights[i] as number), 0) % 11 === 0;
}

export function allClients(data: SandboxData): EcdClient[] {
  return data.exports.flatMap((e) => e.clients);
}

export function exportOf(data: SandboxData, orgId: string): EcdExport {
  const found = data.exports.find((e) => e.organisation.id === orgId);
  if (!found) {
    throw new Error(`no export for ${orgId}`);
  }
  return found;
}

/** The export and client record of a client id, wherever it lives. */
export function findClient(data: SandboxData, clientId: string): { ecd: EcdExport; client: EcdClient } {
  for (const ecd of data.exports) {
    const client = ecd.clients.find((c) => c.id === clientId);
    if (client) {
      return { ecd, client };
    }
  }
  throw new Error(`no client ${clientId}`);
}
