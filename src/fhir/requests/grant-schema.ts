import Ajv from 'ajv';
import { CODE_SYSTEM, PORTAL_SECTIONS, type PortalSection } from '../../vocabulary';
import { MalformedRequest } from '../errors';
import { problemOf } from './task-schema';

/**
 * What a portal app sends to grant access (A-3; M-2 in the first-contact-person model): a Consent
 * that names whose dossier, to whom (one RelatedPerson, or the client where someone else is
 * administrator) and which portal sections. The gateway writes the Consent itself, in the shape of
 * its profile inzage-portal-access-consent, through the consent engine; everything it sets (id,
 * meta, performer, dates, period, policy, category) is refused here rather than ignored.
 */
const reference = {
  type: 'object',
  additionalProperties: false,
  required: ['reference'],
  properties: { reference: { type: 'string', pattern: '^(Patient|RelatedPerson)/[A-Za-z0-9\\-.]{1,64}$' } },
} as const;

const GRANT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceType', 'status', 'patient', 'provision'],
  properties: {
    resourceType: { const: 'Consent' },
    status: { const: 'active' },
    patient: reference,
    provision: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'actor', 'code'],
      properties: {
        type: { const: 'permit' },
        actor: {
          type: 'array',
          minItems: 1,
          maxItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['reference'],
            properties: { reference },
          },
        },
        code: {
          type: 'array',
          minItems: 1,
          maxItems: PORTAL_SECTIONS.length,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['coding'],
            properties: {
              coding: {
                type: 'array',
                minItems: 1,
                maxItems: 1,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['system', 'code'],
                  properties: {
                    system: { const: CODE_SYSTEM.portalSection },
                    code: { enum: [...PORTAL_SECTIONS] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** A grant as the portal app asked for it. */
export interface GrantBody {
  readonly patient: string;
  readonly grantee: string;
  readonly sections: PortalSection[];
}

const validate = new Ajv({ allErrors: false, strict: true }).compile(GRANT_SCHEMA);

/** The body as a grant, or 400 naming the first field that is wrong. */
export function checkGrant(body: unknown): GrantBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MalformedRequest('the body must be a FHIR JSON Consent (Content-Type: application/fhir+json)');
  if (!validate(body)) {
    const error = validate.errors?.[0];
    throw new MalformedRequest(error ? problemOf(error, 'Consent') : 'the Consent is not a valid grant');
  }
  const consent = body as {
    patient: { reference: string };
    provision: {
      actor: [{ reference: { reference: string } }];
      code: { coding: [{ code: PortalSection }] }[];
    };
  };
  return {
    patient: consent.patient.reference,
    grantee: consent.provision.actor[0].reference.reference,
    sections: consent.provision.code.map((c) => c.coding[0].code),
  };
}
