import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { startOfDutchDay } from '../calendar';
import { PORTAL_SECTIONS, RELATION_ROLES } from '../vocabulary';
import { ECD_EXPORT_FORMAT, ECD_EXPORT_VERSION } from './export-format';

/**
 * JSON Schemas of the ECD export's records, one per entity, in the flat shape the readers yield (a
 * client's care agreements arrive as their own records with a clientId). Everything that comes from
 * an ECD passes through one of these before it is staged.
 */

const ecdId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const date = { type: 'string', format: 'date' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nonEmpty = { type: 'string', minLength: 1, maxLength: 200 } as const;

const personName = {
  type: 'object',
  additionalProperties: false,
  required: ['given', 'family'],
  properties: {
    given: { type: 'array', minItems: 1, maxItems: 10, items: nonEmpty },
    family: nonEmpty,
    prefix: { type: 'string', minLength: 1, maxLength: 30 },
  },
} as const;

const telecom = {
  type: 'object',
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    mobile: { type: 'string', pattern: '^\\+[1-9][0-9]{7,14}$' },
    phone: { type: 'string', pattern: '^\\+?[0-9][0-9 -]{5,19}$' },
  },
} as const;

const personReference = {
  type: 'object',
  required: ['kind'],
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: { kind: { const: 'client' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'relationId'],
      properties: { kind: { const: 'relation' }, relationId: ecdId },
    },
  ],
} as const;

export const RECORD_SCHEMAS = {
  organisation: {
    type: 'object',
    additionalProperties: false,
    required: ['format', 'version', 'exportedAt', 'id', 'name'],
    properties: {
      format: { const: ECD_EXPORT_FORMAT },
      version: { const: ECD_EXPORT_VERSION },
      exportedAt: dateTime,
      mode: { enum: ['full', 'delta'] },
      id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
      name: nonEmpty,
      ura: { type: 'string', pattern: '^[0-9]{8}$' },
      agb: { type: 'string', pattern: '^[0-9]{8}$' },
    },
  },
  clients: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'birthDate', 'gender'],
    properties: {
      id: ecdId,
      bsn: { type: 'string', pattern: '^[0-9]{9}$' },
      name: personName,
      birthDate: date,
      gender: { enum: ['male', 'female', 'other', 'unknown'] },
      telecom,
      deceasedDate: date,
      administratorCapacity: {
        type: 'object',
        additionalProperties: false,
        required: ['capable', 'assessedOn', 'assessorRole'],
        properties: {
          capable: { type: 'boolean' },
          assessedOn: date,
          assessorRole: {
            enum: ['behavioural-expert', 'physician-intellectual-disability', 'physician', 'other'],
          },
        },
      },
    },
  },
  careAgreements: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'clientId', 'careType', 'start'],
    properties: {
      id: ecdId,
      clientId: ecdId,
      careType: { enum: ['elderly-care', 'disability-care'] },
      start: date,
      end: date,
    },
  },
  relations: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'clientId', 'role', 'name'],
    properties: {
      id: ecdId,
      clientId: ecdId,
      role: { enum: [...RELATION_ROLES] },
      name: personName,
      relationship: { type: 'string', pattern: '^[A-Z]{2,10}$' },
      parentalAuthority: { type: 'boolean' },
      telecom,
      start: date,
      end: date,
    },
  },
  portalRegistrations: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'clientId', 'person', 'registeredOn', 'requestedRole'],
    properties: {
      id: ecdId,
      clientId: ecdId,
      person: personReference,
      registeredOn: date,
      requestedRole: { enum: ['client', 'administrator', 'user'] },
    },
  },
  portalAuthorisations: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'clientId', 'grantedBy', 'granteeRelationId', 'sections', 'grantedOn'],
    properties: {
      id: ecdId,
      clientId: ecdId,
      grantedBy: personReference,
      granteeRelationId: ecdId,
      sections: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...PORTAL_SECTIONS] } },
      grantedOn: date,
      withdrawal: {
        type: 'object',
        additionalProperties: false,
        required: ['requestReceivedAt'],
        properties: { requestReceivedAt: dateTime },
      },
    },
  },
  clientAgreements: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'clientId', 'subject', 'relationId', 'agreed', 'recordedOn'],
    properties: {
      id: ecdId,
      clientId: ecdId,
      subject: { enum: ['first-contact-person-as-administrator', 'parental-access'] },
      relationId: ecdId,
      agreed: { type: 'boolean' },
      recordedOn: date,
    },
  },
} as const;

export type RecordEntity = keyof typeof RECORD_SCHEMAS;

/** One thing wrong with one record, in terms the ECD's operator can find and fix. */
export interface RecordProblem {
  /** Dotted path inside the record ("birthDate", "name.given[0]"), or "" for the record as a whole. */
  field: string;
  reason: string;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv, ['date', 'date-time', 'email']);

const validators = Object.fromEntries(
  Object.entries(RECORD_SCHEMAS).map(([entity, schema]) => [entity, ajv.compile(schema)]),
) as Record<RecordEntity, ValidateFunction>;

/** True for a BSN that passes the eleven-test (weights 9..2 and -1; sum divisible by 11, not all zero). */
export function passesElevenTest(bsn: string): boolean {
  if (!/^[0-9]{9}$/.test(bsn) || bsn === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += Number(bsn[i]) * (9 - i);
  sum -= Number(bsn[8]);
  return sum % 11 === 0;
}

/**
 * Validates one record against its entity's schema, then the rules a schema cannot say (the eleven
 * test, dates in the future, an end before a start). `today` is the import's calendar date. Every
 * problem of the record is reported, not only the first: the operator fixes them in one go. A rule is
 * left out only where a field it reads already has a schema problem (a date that is not a date is
 * not also "in the future").
 */
export function checkRecord(entity: RecordEntity, record: unknown, today: string): RecordProblem[] {
  const validate = validators[entity];
  const problems = validate(record)
    ? []
    : dedupe(withoutBranchNoise(validate.errors ?? []).map(problemFromAjv));
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return problems;
  const faulty = new Set(problems.map((p) => p.field));
  /** Whether none of the fields, nor anything inside them or around them, has a problem already. */
  const sound = (...fields: string[]) =>
    fields.every((field) => {
      for (const f of faulty) {
        if (f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`)) return false;
      }
      return true;
    });
  const r = record as Record<string, unknown>;
  const after = (field: string, value: unknown, limit: string, reason: string) => {
    if (typeof value === 'string' && value > limit && sound(field)) problems.push({ field, reason });
  };
  const notBefore = (
    field: string,
    value: unknown,
    earliest: unknown,
    earliestField: string,
    reason: string,
  ) => {
    if (
      typeof value === 'string' &&
      typeof earliest === 'string' &&
      value < earliest &&
      sound(field, earliestField)
    )
      problems.push({ field, reason });
  };
  switch (entity) {
    case 'clients': {
      if (typeof r.bsn === 'string' && sound('bsn') && !passesElevenTest(r.bsn))
        problems.push({ field: 'bsn', reason: 'is not a valid BSN (fails the eleven-test)' });
      after('birthDate', r.birthDate, today, `lies in the future (today is ${today})`);
      after('deceasedDate', r.deceasedDate, today, `lies in the future (today is ${today})`);
      notBefore('deceasedDate', r.deceasedDate, r.birthDate, 'birthDate', 'is before the birth date');
      const capacity = isObject(r.administratorCapacity) ? r.administratorCapacity : undefined;
      after(
        'administratorCapacity.assessedOn',
        capacity?.assessedOn,
        today,
        `lies in the future (today is ${today})`,
      );
      break;
    }
    case 'careAgreements':
    case 'relations':
      notBefore('end', r.end, r.start, 'start', 'is before the start date');
      break;
    case 'portalAuthorisations': {
      // A moment against a day: the grant counts from midnight in Amsterdam on its date, whatever
      // offset the withdrawal was written with (23:30Z on the 9th is already the 10th there).
      const withdrawal = isObject(r.withdrawal) ? r.withdrawal : undefined;
      const received =
        typeof withdrawal?.requestReceivedAt === 'string' ? Date.parse(withdrawal.requestReceivedAt) : NaN;
      if (
        typeof r.grantedOn === 'string' &&
        received < startOfDutchDay(r.grantedOn).getTime() &&
        sound('withdrawal.requestReceivedAt', 'grantedOn')
      )
        problems.push({
          field: 'withdrawal.requestReceivedAt',
          reason: 'is before the authorisation was granted',
        });
      break;
    }
    default:
      break;
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A failed oneOf reports each branch's complaints too; the oneOf message alone says it better. */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  return errors.filter(
    (e) => e.keyword === 'oneOf' || !oneOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)),
  );
}

function problemFromAjv(e: ErrorObject): RecordProblem {
  const base = pointerToField(e.instancePath);
  const join = (child: string) => (base ? `${base}.${child}` : child);
  switch (e.keyword) {
    case 'required':
      return { field: join(String(e.params.missingProperty)), reason: 'is required but missing' };
    case 'additionalProperties':
      return { field: join(String(e.params.additionalProperty)), reason: 'is not a field of this record' };
    case 'enum':
      return { field: base, reason: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { field: base, reason: `must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'type':
      return {
        field: base,
        reason: `must be ${e.params.type === 'array' || e.params.type === 'object' ? 'an' : 'a'} ${e.params.type}`,
      };
    case 'format':
      return { field: base, reason: formatReason(String(e.params.format)) };
    case 'pattern':
      return { field: base, reason: patternReason(base) };
    case 'oneOf':
      return { field: base, reason: 'must be {"kind":"client"} or {"kind":"relation","relationId":…}' };
    case 'uniqueItems':
      return { field: base, reason: 'lists the same value twice' };
    case 'minItems':
      return { field: base, reason: 'must not be empty' };
    default:
      return { field: base, reason: e.message ?? 'is invalid' };
  }
}

function formatReason(format: string): string {
  if (format === 'date') return 'must be a calendar date YYYY-MM-DD';
  if (format === 'date-time')
    return 'must be a moment in ISO 8601 with a time zone, e.g. 2026-11-23T10:15:00+01:00';
  if (format === 'email') return 'must be an e-mail address';
  return `must be a valid ${format}`;
}

function patternReason(field: string): string {
  if (field === 'bsn') return 'must be 9 digits';
  if (/(^|\.)id$|Id$/.test(field)) return 'must be 1–64 letters, digits, dots, hyphens or underscores';
  if (/mobile$/.test(field)) return 'must be an international number such as +31612345678';
  if (/phone$/.test(field)) return 'must be a telephone number';
  if (/(ura|agb)$/.test(field)) return 'must be 8 digits';
  if (field === 'relationship') return 'must be an HL7 v3 RoleCode such as MTH, FTH, SONC';
  return 'has the wrong format';
}

function pointerToField(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function dedupe(problems: RecordProblem[]): RecordProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
