import { getSearchParameters } from '@medplum/core';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
  ResourceType,
} from '@medplum/fhirtypes';
import type { SandboxData } from './types';

const NL_CORE = 'http://nictiz.nl/fhir/StructureDefinition/';

const SUPPORTED_PROFILES: Partial<Record<ResourceType, string>> = {
  Patient: `${NL_CORE}nl-core-Patient`,
  Organization: `${NL_CORE}nl-core-HealthcareProvider-Organization`,
  Practitioner: `${NL_CORE}nl-core-HealthProfessional-Practitioner`,
  PractitionerRole: `${NL_CORE}nl-core-HealthProfessional-PractitionerRole`,
};

const READ_INTERACTIONS = ['read', 'vread', 'history-instance', 'search-type'] as const;
const WRITE_INTERACTIONS = ['create', 'update', 'patch', 'delete'] as const;

function searchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  return Object.values(getSearchParameters(type) ?? {})
    .filter((p) => p.code && p.type)
    .map((p) => ({
      name: p.code as string,
      ...(p.url ? { definition: p.url } : {}),
      type: p.type as CapabilityStatementRestResourceSearchParam['type'],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The router has no /metadata of its own. This statement lists what the sandbox really holds and
 * does: the resource types present in the data, the interactions the server lets through, and the
 * search parameters @medplum/core can evaluate for each type.
 */
export function capabilityStatement(
  data: SandboxData,
  baseUrl: string,
  writable: boolean,
): CapabilityStatement {
  const types = [...new Set(data.resources.map((r) => r.resourceType))].sort();
  const interactions = writable ? [...READ_INTERACTIONS, ...WRITE_INTERACTIONS] : [...READ_INTERACTIONS];
  const resource: CapabilityStatementRestResource[] = types.map((type) => {
    const profile = SUPPORTED_PROFILES[type];
    return {
      type,
      ...(profile ? { supportedProfile: [profile] } : {}),
      interaction: interactions.map((code) => ({ code })),
      versioning: 'versioned',
      readHistory: true,
      searchParam: searchParams(type),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    experimental: true,
    date: data.today,
    publisher: 'Inzage',
    description:
      'Sandbox upstream with synthetic Dutch long-term-care data (no real persons), served by ' +
      '@medplum/fhir-router on a MemoryRepository.',
    kind: 'instance',
    software: { name: 'Inzage sandbox upstream' },
    implementation: { description: 'Inzage sandbox upstream', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Searches are paged: 50 entries by default, at most 1000 (_count), with _offset links.',
        resource,
        searchParam: [
          { name: '_count', type: 'number' },
          { name: '_offset', type: 'number' },
          { name: '_sort', type: 'string' },
        ],
      },
    ],
  };
}
