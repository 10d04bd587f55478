import { createHash, randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import type { Store } from '../store';
import { CONSENT_CHANGE_CHANNEL, dutchDate, type PolicyEngine } from './engine';
import { assessStanding } from './organisation';
import type { PolicyPreset } from './preset';
import { SYSTEM, type PortalSection } from './vocabulary';

/** Refused: the person asking may not grant or withdraw access to this client's dossier now. */
export class GrantRefused extends Error {
  readonly code = 'ERR_GRANT_REFUSED';
  constructor(reason: string) {
    super(reason);
    this.name = 'GrantRefused';
  }
}

export interface GrantRequest {
  /** Who grants: must be the client's administrator at this moment, or the client (M-2). */
  by: string;
  patient: string;
  /** 'RelatedPerson/<id>' of the client, or the client ('Patient/<id>') when someone else is administrator. */
  grantee: string;
  sections: readonly PortalSection[];
  at?: Date;
}

const PROFILE = 'https://inzage.example/fhir/StructureDefinition/inzage-portal-access-consent';

/**
 * Grants a relation access to sections of a client's dossier, as a Consent written through the engine.
 * Refused unless `by` may grant at this moment: the administrator (Amerpoort), or the client or
 * legal representative (Meerlanden). Takes effect on the next request on every instance.
 */
export async function grantAccess(
  engine: PolicyEngine,
  store: Store,
  request: GrantRequest,
): Promise<Consent & { id: string }> {
  const at = request.at ?? new Date();
  const { preset, organisationId } = await checkGrantor(engine, request.by, request.patient, at);
  const facts = await engine.facts(request.patient);
  if (request.grantee === request.patient) {
    // A-3 with: an administrator who is not the client may admit the client to sections.
    if (preset.model !== 'portal-administrator')
      throw new GrantRefused('under these rules the client is not granted access by others');
  } else {
    const grantee = facts?.relations.find((r) => r.reference === request.grantee);
    if (!grantee || !grantee.active)
      throw new GrantRefused(`${request.grantee} is not a current relation of this client`);
    if (preset.excludedRoles.includes(grantee.role) || !preset.delegableRoles.includes(grantee.role)) {
      throw new GrantRefused(`a ${grantee.role} cannot be given access under the ${preset.id} rules`);
    }
  }
  if (request.sections.length === 0) throw new GrantRefused('a grant names at least one section');
  const moment = at.toISOString();
  const consent: Consent & { id: string } = {
    resourceType: 'Consent',
    id: `grant-${randomUUID()}`,
    meta: { profile: [PROFILE], source: 'inzage:engine' },
    status: 'active',
    scope: { coding: [{ system: SYSTEM.consentScope, code: 'patient-privacy' }] },
    category: [
      { coding: [{ system: 'http://loinc.org', code: '59284-0' }] },
      { coding: [{ system: SYSTEM.portalConsentType, code: 'portal-access' }] },
    ],
    patient: { reference: request.patient },
    dateTime: moment,
    performer: [{ reference: request.by }],
    organization: [{ reference: `Organization/${organisationId}` }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      period: { start: moment },
      actor: [
        {
          role: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
          },
          reference: { reference: request.grantee },
        },
      ],
      code: request.sections.map((section) => ({
        coding: [{ system: SYSTEM.portalSection, code: section }],
      })),
    },
  };
  await write(store, consent, 1, organisationId, request.patient);
  engine.invalidate(request.patient);
  return consent;
}

/** Withdraws a grant: the Consent becomes inactive from `at`; its history stays. */
export async function withdrawAccess(
  engine: PolicyEngine,
  store: Store,
  request: { by: string; patient: string; consentId: string; at?: Date },
): Promise<Consent> {
  const at = request.at ?? new Date();
  const { organisationId } = await checkGrantor(engine, request.by, request.patient, at);
  const rows = await store.query<{ version_id: number; content: Consent & { id: string } }>(
    `SELECT version_id, content FROM fhir_resource WHERE resource_type = 'Consent' AND id = $1 AND patient_id = $2`,
    [request.consentId, request.patient.slice('Patient/'.length)],
  );
  const row = rows[0];
  if (!row) throw new GrantRefused(`Consent/${request.consentId} is not a grant for this client`);
  const moment = at.toISOString();
  const { versionId: _v, lastUpdated: _l, ...meta } = row.content.meta ?? {};
  const ended: Consent & { id: string } = {
    ...row.content,
    meta,
    status: 'inactive',
    provision: { ...row.content.provision, period: { ...row.content.provision?.period, end: moment } },
  };
  await write(store, ended, row.version_id + 1, organisationId, request.patient);
  engine.invalidate(request.patient);
  return ended;
}

async function checkGrantor(
  engine: PolicyEngine,
  by: string,
  patient: string,
  at: Date,
): Promise<{ preset: PolicyPreset; organisationId: string }> {
  // Decide on fresh facts: a grant must never rest on an administrator who was replaced a moment ago.
  engine.invalidate(patient);
  const facts = await engine.facts(patient);
  if (!facts) throw new GrantRefused(`${patient} is not known to the gateway`);
  const preset = engine.presetOf(facts.organisationId);
  const standing = assessStanding(facts, by, preset, dutchDate(at));
  const allowed =
    standing.access === 'full' &&
    (preset.model === 'portal-administrator'
      ? standing.role === 'administrator'
      : standing.grantors.includes(by));
  if (!allowed) {
    throw new GrantRefused(
      preset.model === 'portal-administrator'
        ? `${by} is not the portal administrator of this client now (A-3)`
        : `${by} may not authorise others for this client (M-2)`,
    );
  }
  return { preset, organisationId: facts.organisationId };
}

async function write(
  store: Store,
  consent: Consent & { id: string },
  version: number,
  organisationId: string,
  patient: string,
): Promise<void> {
  const lastUpdated = new Date().toISOString();
  const content = { ...consent, meta: { ...consent.meta, versionId: String(version), lastUpdated } };
  const hash = createHash('sha256').update(JSON.stringify(consent)).digest('base64url');
  await store.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, organisation_id, patient_id, source,
         source_record, content_hash, ended_at, content)
       VALUES ('Consent', $1, $2, $3, $4, $5, 'engine', NULL, $6, NULL, $7::jsonb)
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id, last_updated = excluded.last_updated,
         content_hash = excluded.content_hash, content = excluded.content`,
      [
        consent.id,
        version,
        lastUpdated,
        organisationId,
        patient.slice('Patient/'.length),
        hash,
        JSON.stringify(content),
      ],
    );
    await tx.query(
      `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, content) VALUES ('Consent', $1, $2, $3, $4::jsonb)`,
      [consent.id, version, lastUpdated, JSON.stringify(content)],
    );
    await tx.query('SELECT pg_notify($1, $2)', [CONSENT_CHANGE_CHANNEL, patient]);
  });
}
