import type { SandboxData } from '../../src/sandbox';
import { syntheticBsn } from '../synthetic-export';

/**
 * The sandbox's data with its ECD exports padded to `total` clients (the generator stops at 2,000):
 * copies of its clients and their relations under new ids and BSNs, spread over the organisations.
 * The named clients and their dossiers upstream stay as they are, so the same login meets the same
 * upstream whatever the size of the gateway's own database.
 */
export function paddedTo(data: SandboxData, total: number): SandboxData {
  const exports = data.exports.map((exp) => ({
    ...exp,
    clients: [...exp.clients],
    relations: [...exp.relations],
  }));
  const bsns = new Set(exports.flatMap((e) => e.clients.map((c) => c.bsn)));
  let count = exports.reduce((n, e) => n + e.clients.length, 0);
  let bsnSeed = 1;
  for (let copy = 1; count < total; copy++) {
    for (const exp of exports) {
      const originals = data.exports.find((e) => e.organisation.id === exp.organisation.id)!;
      for (const client of originals.clients) {
        if (count >= total) break;
        let bsn = syntheticBsn(bsnSeed++);
        while (bsns.has(bsn)) bsn = syntheticBsn(bsnSeed++);
        bsns.add(bsn);
        const id = `${client.id}-pad${copy}`;
        exp.clients.push({
          ...client,
          id,
          bsn,
          careAgreements: client.careAgreements.map((a) => ({ ...a, id: `${a.id}-pad${copy}` })),
        });
        for (const relation of originals.relations.filter((r) => r.clientId === client.id)) {
          exp.relations.push({ ...relation, id: `${relation.id}-pad${copy}`, clientId: id });
        }
        count += 1;
      }
    }
  }
  return { ...data, exports };
}
