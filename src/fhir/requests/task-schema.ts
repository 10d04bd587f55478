import Ajv, { type ErrorObject } from 'ajv';
import { CODE_SYSTEM, DATA_SUBJECT_REQUESTS, type DataSubjectRequest } from '../../vocabulary';
import { MalformedRequest } from '../errors';

/**
 * What a portal app may send to the request channel (`POST /fhir/Task`, M-9 and M-10), as a JSON
 * Schema: a Task asking the organisation for a correction, completion, erasure or transfer of the
 * client's data, and nothing more. Every element the gateway sets itself (id, meta, requester,
 * owner, authoredOn, status changes, the organisation's reasons) is refused rather than ignored, so
 * that an app never believes it set something it did not; so is anything else (narrative, contained
 * resources, extensions): the channel carries the client's words, not markup for a later reader.
 */
const reference = {
  type: 'object',
  additionalProperties: false,
  required: ['reference'],
  properties: { reference: { type: 'string', pattern: '^[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\\-.]{1,64}$' } },
} as const;

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '\\S' }) as const;

const REQUEST_TASK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['resourceType', 'status', 'intent', 'code', 'for', 'description'],
  properties: {
    resourceType: { const: 'Task' },
    status: { const: 'requested' },
    intent: { const: 'order' },
    code: {
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
              system: { const: CODE_SYSTEM.dataSubjectRequest },
              code: { enum: [...DATA_SUBJECT_REQUESTS] },
              display: text(100),
            },
          },
        },
        text: text(200),
      },
    },
    for: reference,
    focus: reference,
    description: text(2000),
    input: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'valueString'],
        properties: {
          type: {
            type: 'object',
            additionalProperties: false,
            required: ['text'],
            properties: { text: text(200) },
          },
          valueString: text(2000),
        },
      },
    },
  },
} as const;

/** A request as the portal app sent it, checked against the schema. */
export interface RequestTaskBody {
  resourceType: 'Task';
  status: 'requested';
  intent: 'order';
  code: { coding: [{ system: string; code: DataSubjectRequest; display?: string }]; text?: string };
  for: { reference: string };
  focus?: { reference: string };
  description: string;
  input?: { type: { text: string }; valueString: string }[];
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validate = ajv.compile(REQUEST_TASK_SCHEMA);

/** The body as a request Task, or 400 naming the first field that is wrong. */
export function checkRequestTask(body: unknown): RequestTaskBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MalformedRequest('the body must be a FHIR JSON Task (Content-Type: application/fhir+json)');
  if (validate(body)) return body as unknown as RequestTaskBody;
  const error = validate.errors?.[0];
  throw new MalformedRequest(error ? problemOf(error, 'Task') : 'the Task is not a valid request');
}

/** One ajv error as a sentence about the FHIR element (`Task.code.coding[0].code: …`). */
export function problemOf(error: ErrorObject, resourceType: string): string {
  const path = `${resourceType}${error.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${path}.${String(params.additionalProperty).slice(0, 64)}: not part of a request (the gateway sets what it keeps itself)`;
    case 'required':
      return `${path}.${String(params.missingProperty)}: required`;
    case 'const':
      return `${path}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `${path}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'maxLength':
      return `${path}: at most ${String(params.limit)} characters`;
    case 'minLength':
    case 'pattern':
      return path.endsWith('.reference')
        ? `${path}: must be a relative reference Type/id`
        : `${path}: must be a text that is not empty`;
    case 'maxItems':
    case 'minItems':
      return `${path}: ${error.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(params.limit)} item(s)`;
    default:
      return `${path}: ${error.message ?? 'not valid'}`;
  }
}
