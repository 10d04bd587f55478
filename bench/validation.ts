import { validateResource } from '@medplum/core';
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
// The ecd module's own benchmark, like its tests, reaches into the mapping and validation.
import {
  loadInzageProfiles,
  mapAuthorisation,
  mapClient,
  mapClientAgreement,
  mapRelation,
  validateMapped,
  readInzageArtefacts,
} from '../src/ecd';
import { PROFILE } from '../src/vocabulary';
import { authorisations, clientAgreements, clients, relations } from '../test/ecd/fhir/fixtures';

function perSecond(count: number, work: () => void): number {
  const started = process.hrtime.bigint();
  work();
  return Math.round(count / (Number(process.hrtime.bigint() - started) / 1e9));
}

/**
 * Validation of mapped resources against the gateway's profiles (what every created or changed record
 * of an import costs): 2,000 mapped resources of every kind the mapping writes, in a plain loop.
 * Baseline in the same run: @medplum/core's validator with the profile passed in per call, which
 * parses it again each time.
 */
export function benchValidation(): void {
  loadInzageProfiles();
  const mapped: Resource[] = [
    ...clients.map(({ client, agreements, org }) => mapClient(client, agreements, org)),
    ...relations.map(({ relation, org }) => mapRelation(relation, org)),
    ...authorisations.map(({ authorisation, org }) => mapAuthorisation(authorisation, org)),
    ...clientAgreements.map(({ agreement, org }) => mapClientAgreement(agreement, org)),
  ];
  const batch = Array.from({ length: 2000 }, (_, i) => mapped[i % mapped.length]!);
  validateMapped(batch[0]!);
  const rate = perSecond(batch.length, () => {
    for (const resource of batch) validateMapped(resource);
  });

  const ours = new Set<string>(Object.values(PROFILE));
  const profiles = new Map<string, StructureDefinition>(
    readInzageArtefacts()
      .structureDefinitions.filter((sd) => ours.has(sd.url))
      .map((sd) => [sd.url, sd]),
  );
  const sample = batch.slice(0, 200);
  const perCall = perSecond(sample.length, () => {
    for (const r of sample) validateResource(r, { profile: profiles.get(r.meta?.profile?.[0] ?? '') });
  });

  console.log(
    `\n## Validation of mapped resources: ${batch.length} validations, ${mapped.length} distinct resources`,
  );
  console.log(`validateMapped                              ${rate} validations/s`);
  console.log(`baseline: @medplum/core, profile per call   ${perCall} validations/s`);
}
