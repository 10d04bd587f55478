import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { INZAGE_CANONICAL } from '../vocabulary';
import type { AuditEventKind, AuditRecord } from './entry';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';

/** The gateway's own codes for what happened, one per kind of event (AuditEvent.subtype). */
export const AUDIT_EVENT_SUBTYPE_SYSTEM = `${INZAGE_CANONICAL}/CodeSystem/audit-event`;
/** NEN 7513's four control results as four letters T/F: authorisation, care relation, consent, break-glass. */
export const NEN7513_CONTROLS_EXTENSION = `${INZAGE_CANONICAL}/StructureDefinition/nen7513-controls`;
/** The decision basis of an entity that is a Consent or a rule (verdict, section, text). */
export const DECISION_BASIS_ENTITY = `${INZAGE_CANONICAL}/CodeSystem/decision-basis`;

const TYPE_OF_KIND: Record<AuditEventKind, Coding> = {
  'fhir-request': { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
  login: { system: DCM, code: '110114', display: 'User Authentication' },
  token: { system: DCM, code: '110114', display: 'User Authentication' },
  'link-code': { system: DCM, code: '110114', display: 'User Authentication' },
  terms: { system: DCM, code: '110110', display: 'Patient Record' },
  'consent-change': { system: DCM, code: '110110', display: 'Patient Record' },
  suspension: { system: DCM, code: '110110', display: 'Patient Record' },
  'ecd-sync': { system: DCM, code: '110107', display: 'Import' },
  'request-channel': { system: DCM, code: '110110', display: 'Patient Record' },
  admin: { system: DCM, code: '110100', display: 'Application Activity' },
  'audit-deletion': { system: DCM, code: '110105', display: 'DICOM Study Deleted' },
  'breach-report': { system: DCM, code: '110113', display: 'Security Alert' },
};

/** FHIR interaction names as the restful-interaction code system spells them. */
const RESTFUL: Record<string, string> = {
  read: 'read',
  vread: 'vread',
  search: 'search-type',
  history: 'history-instance',
  everything: 'operation',
  create: 'create',
  delete: 'delete',
  update: 'update',
  patch: 'patch',
  capabilities: 'capabilities',
  batch: 'batch',
  operation: 'operation',
};

/**
 * Who reads the rendering. A reviewer sees everything recorded. The client (and whoever reads the
 * client's log with them) sees who read what, when, in which role, on whose behalf, and why; not
 * the readers' network addresses, account ids or token ids, which are another person's data and
 * of use only to the organisation's investigation.
 */
export type AuditAudience = 'reviewer' | 'client';

/**
 * Detail keys that are the organisation's internal identifiers (another person's account link, a
 * grant, an import run): of use to an investigation, not to the client reading who looked.
 */
const REVIEWER_ONLY_DETAIL = new Set(['link', 'grant', 'account', 'importId', 'named', 'session']);

/** The record as an IHE BALP-style FHIR R4 AuditEvent. */
export function toAuditEvent(record: AuditRecord, audience: AuditAudience = 'reviewer'): AuditEvent {
  const { entry } = record;
  const full = audience === 'reviewer';
  const agents: AuditEventAgent[] = [];
  const actor = entry.actor;
  if (actor) {
    agents.push({
      type: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
      ...(actor.role ? { role: [{ text: actor.role }] } : {}),
      who: {
        ...(actor.person ? { reference: actor.person } : {}),
        ...(full && actor.account
          ? { identifier: { system: `${INZAGE_CANONICAL}/account`, value: actor.account } }
          : {}),
        ...(actor.name ? { display: actor.name } : {}),
      },
      requestor: true,
      ...(entry.policy ? { policy: [entry.policy] } : {}),
      ...(full && actor.address ? { network: { address: actor.address, type: '2' as const } } : {}),
    });
    if (actor.onBehalfOf)
      agents.push({
        type: { coding: [{ system: PARTICIPATION, code: 'RESP', display: 'responsible party' }] },
        who: { reference: actor.onBehalfOf },
        requestor: false,
      });
  }
  if (entry.clientApp)
    agents.push({
      type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
      who: {
        identifier: { system: 'urn:ietf:params:oauth:client-id', value: entry.clientApp },
        display: entry.clientApp,
      },
      requestor: false,
    });
  agents.push({
    type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
    who: { display: 'Inzage gateway' },
    requestor: false,
  });

  const entities: AuditEventEntity[] = [];
  if (entry.patient)
    entities.push({
      what: { reference: entry.patient },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  if (entry.query)
    entities.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      query: Buffer.from(entry.query, 'utf8').toString('base64'),
      description: entry.query,
    });
  for (const shown of entry.entities ?? [])
    entities.push({
      what: { reference: shown },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  for (const basis of entry.basis ?? [])
    entities.push({
      ...(basis.kind === 'consent' ? { what: { reference: basis.ref } } : { name: basis.ref }),
      type: { system: DECISION_BASIS_ENTITY, code: basis.kind },
      detail: [
        ...(basis.verdict ? [{ type: 'verdict', valueString: basis.verdict }] : []),
        ...(basis.section ? [{ type: 'section', valueString: basis.section }] : []),
        ...(basis.text ? [{ type: 'text', valueString: basis.text }] : []),
      ],
    });
  if (entry.requestId)
    entities.push({
      what: { identifier: { value: entry.requestId } },
      type: { system: BALP_ENTITY_TYPE, code: 'XrequestId', display: 'X-Request-Id' },
    });
  if (full && entry.tokenId)
    entities.push({
      what: { identifier: { system: 'urn:ietf:params:oauth:jti', value: entry.tokenId } },
      type: { system: BALP_ENTITY_TYPE, code: 'OAuth', display: 'OAuth Token' },
    });
  const details = Object.entries(entry.detail ?? {}).filter(
    ([key]) => full || !REVIEWER_ONLY_DETAIL.has(key),
  );
  if (details.length > 0)
    entities.push({
      type: { system: ENTITY_TYPE, code: '4', display: 'Other' },
      detail: details.map(([type, value]) => ({ type, valueString: String(value) })),
    });

  const subtype: Coding[] = [{ system: AUDIT_EVENT_SUBTYPE_SYSTEM, code: entry.kind }];
  if (entry.kind === 'fhir-request' && entry.interaction && RESTFUL[entry.interaction])
    subtype.unshift({ system: RESTFUL_INTERACTION, code: RESTFUL[entry.interaction]! });
  else if (entry.interaction)
    subtype.push({ system: AUDIT_EVENT_SUBTYPE_SYSTEM, code: `${entry.kind}.${entry.interaction}` });

  return {
    resourceType: 'AuditEvent',
    id: record.id,
    meta: { lastUpdated: record.recorded.toISOString() },
    ...(entry.checks
      ? {
          extension: [
            {
              url: NEN7513_CONTROLS_EXTENSION,
              valueString: [
                entry.checks.authorisation,
                entry.checks.careRelationship,
                entry.checks.consent,
                entry.checks.breakGlass,
              ]
                .map((c) => (c ? 'T' : 'F'))
                .join(''),
            },
          ],
        }
      : {}),
    type: TYPE_OF_KIND[entry.kind],
    subtype,
    action: entry.action,
    period: { start: entry.at.toISOString(), end: record.recorded.toISOString() },
    recorded: record.recorded.toISOString(),
    outcome: entry.outcome === 'success' ? '0' : entry.outcome === 'refused' ? '4' : '8',
    ...(entry.outcomeText || entry.status
      ? {
          outcomeDesc: [entry.status ? `HTTP ${entry.status}` : undefined, entry.outcomeText]
            .filter(Boolean)
            .join(' '),
        }
      : {}),
    agent: agents,
    source: {
      observer: { display: 'Inzage gateway' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities,
  };
}
