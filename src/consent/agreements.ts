import { randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import { readResource, writeResources } from '../resources';
import type { Store } from '../store';
import {
  CODE_SYSTEM,
  PORTAL_CONSENT,
  PORTAL_CONSENT_TYPE_DISPLAY,
  PROFILE,
  parsePatientReference,
  type Actor,
  type RelatedPersonReference,
} from '../vocabulary';
import type { ConsentChangeJournal } from './change-journal';
import { changeClientFacts } from './client-change';
import type { PolicyEngine } from './engine';
import { UnknownClient } from './errors';

export interface AgreementRequest {
  /** 'Patient/<id>': whose answer. */
  patient: string;
  /** The relation the answer is about: the first contact person. */
  relation: RelatedPersonReference;
  kind: 'administrator-appointment';
  /** The client's answer: yes (permit) or no (deny). */
  agreed: boolean;
  /** Who recorded it: a staff member of the organisation. */
  recordedBy: Actor;
  at?: Date;
}

/** `meta.source` of what the gateway writes itself. */
const ENGINE_SOURCE = 'inzage:engine';

/**
 * Records the client's answer to "may the first contact person be your portal administrator?"
 * as the Consent the engine reads (category administrator-appointment, performer the client, the
 * relation as actor, permit or deny), written by the gateway (source engine, so an ECD import does not
 * end it). Takes effect on the next request on every instance; the journal records it in the same
 * transaction as a 'grant' under rule A-5. How the client answered (the staff's note) is not put on the
 * Consent, which portal users can read and which must not name employees: it goes to the audit
 * trail with the journal's origin.
 */
export async function recordClientAgreement(
  engine: PolicyEngine,
  store: Store,
  request: AgreementRequest,
  journal?: ConsentChangeJournal,
): Promise<Consent & { id: string }> {
  const at = request.at ?? new Date();
  const patient = parsePatientReference(request.patient);
  const stored = await readResource(store, 'Patient', patient.id);
  if (!stored) throw new UnknownClient(patient.reference);
  const organisationId = stored.organisationId;
  const moment = at.toISOString();
  const consent: Consent & { id: string } = {
    resourceType: 'Consent',
    id: `agreement-${randomUUID()}`,
    meta: { profile: [PROFILE.portalAccessConsent], source: ENGINE_SOURCE },
    status: 'active',
    scope: { coding: [{ ...PORTAL_CONSENT.scope }] },
    category: [
      { coding: [{ ...PORTAL_CONSENT.loincCategory }] },
      {
        coding: [
          {
            system: CODE_SYSTEM.portalConsentType,
            code: request.kind,
            display: PORTAL_CONSENT_TYPE_DISPLAY[request.kind],
          },
        ],
      },
    ],
    patient: { reference: patient.reference },
    dateTime: moment,
    performer: [{ reference: patient.reference }],
    organization: [{ reference: `Organization/${organisationId}` }],
    policyRule: { coding: [{ ...PORTAL_CONSENT.optIn }] },
    provision: {
      type: request.agreed ? 'permit' : 'deny',
      period: { start: moment },
      actor: [
        {
          role: { coding: [{ ...PORTAL_CONSENT.recipientRole }] },
          reference: { reference: request.relation },
        },
      ],
    },
  };
  return changeClientFacts(engine, store, async (tx, announce) => {
    const [written] = await writeResources(
      tx,
      [{ resource: consent, organisationId, patientId: patient.id, source: 'engine', basedOn: 0 }],
      request.recordedBy,
      at,
    );
    await announce(patient.reference);
    await journal?.(tx, {
      kind: 'grant',
      patient: patient.reference,
      organisationId,
      at,
      by: request.recordedBy,
      consent: { id: consent.id, versionId: written!.versionId },
      subject: request.relation,
      rule: 'A-5',
      period: { start: at },
    });
    return written!.content as Consent & { id: string };
  });
}
