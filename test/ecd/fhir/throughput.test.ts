import { validateResource } from '@medplum/core';
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadInzageProfiles,
  mapAuthorisation,
  mapClient,
  mapClientAgreement,
  mapRelation,
  validateMapped,
} from '../../../src/ecd/fhir';
import { authorisations, clientAgreements, clients, relations } from './fixtures';

const mapped: Resource[] = [
  ...clients.map(({ client, agreements, org }) => mapClient(client, agreements, org)),
  ...relations.map(({ relation, org }) => mapRelation(relation, org)),
  ...authorisations.map(({ authorisation, org }) => mapAuthorisation(authorisation, org)),
  ...clientAgreements.map(({ agreement, org }) => mapClientAgreement(agreement, org)),
];
const batch = Array.from({ length: 2000 }, (_, i) => mapped[i % mapped.length] as Resource);

function perSecond(count: number, work: () => void): number {
  const start = performance.now();
  work();
  return Math.round(count / ((performance.now() - start) / 1000));
}

describe('validation throughput', () => {
  beforeAll(() => loadInzageProfiles());

  it('validates 2,000 mapped resources in a plain loop and reports the rate', () => {
    validateMapped(batch[0] as Resource);
    const rate = perSecond(batch.length, () => {
      for (const resource of batch) validateMapped(resource);
    });
    // For comparison: @medplum/core with the profile passed in per call, which re-parses it each time.
    const profiles = new Map<string, StructureDefinition>();
    for (const name of ['inzage-patient', 'inzage-contact-person', 'inzage-portal-access-consent']) {
      const file = join(__dirname, '../../../fhir-profiles', `StructureDefinition-${name}.json`);
      const sd = JSON.parse(readFileSync(file, 'utf8')) as StructureDefinition;
      profiles.set(sd.url, sd);
    }
    const sample = batch.slice(0, 200);
    const perCall = perSecond(sample.length, () => {
      for (const r of sample) validateResource(r, { profile: profiles.get(r.meta?.profile?.[0] ?? '') });
    });
    console.log(
      `validateMapped: ${rate} validations/s over ${batch.length} mapped resources ` +
        `(@medplum/core with the profile passed per call: ${perCall}/s)`,
    );
    expect(rate).toBeGreaterThan(100);
  });
});
