import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

/** The gateway's own FHIR artefacts, as generated into fhir-profiles/ by scripts/build-profiles.mjs. */
export interface InzageArtefacts {
  directory: string;
  structureDefinitions: StructureDefinition[];
  codeSystems: CodeSystem[];
  valueSets: ValueSet[];
}

const MARKER = 'StructureDefinition-inzage-patient.json';

/**
 * fhir-profiles/ sits at the package root. This file runs from src/ecd/fhir under ts-jest and from
 * dist/src/ecd/fhir once compiled, so the distance differs: walk up until it is found.
 */
export function findProfilesDirectory(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'fhir-profiles');
    if (existsSync(join(candidate, MARKER))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no fhir-profiles/ directory above ${start}`);
  }
}

export function readInzageArtefacts(directory: string = findProfilesDirectory()): InzageArtefacts {
  const artefacts: InzageArtefacts = { directory, structureDefinitions: [], codeSystems: [], valueSets: [] };
  // Only the top level: fhir-profiles/src/ holds the differential-only sources, not artefacts.
  for (const name of readdirSync(directory).sort()) {
    if (!name.endsWith('.json')) continue;
    const resource = JSON.parse(readFileSync(join(directory, name), 'utf8')) as
      StructureDefinition | CodeSystem | ValueSet;
    if (resource.resourceType === 'StructureDefinition') artefacts.structureDefinitions.push(resource);
    else if (resource.resourceType === 'CodeSystem') artefacts.codeSystems.push(resource);
    else if (resource.resourceType === 'ValueSet') artefacts.valueSets.push(resource);
  }
  return artefacts;
}
