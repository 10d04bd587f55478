import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { InvalidInput } from '../errors';
import type { AnyAdminOperation, JsonSchema } from './operation';

/**
 * The validators of every operation's input and output, compiled once. Inputs from a query string
 * or a path come as text: those are coerced to the schema's types (`?active=true`, `?limit=20`);
 * a JSON body is taken as it is.
 */
const textual = new Ajv2020({ allErrors: true, strict: true, coerceTypes: 'array', useDefaults: true });
const exact = new Ajv2020({ allErrors: true, strict: true, useDefaults: true });
addFormats(textual, ['date', 'date-time', 'email', 'uri']);
addFormats(exact, ['date', 'date-time', 'email', 'uri']);

interface Validators {
  readonly text: ValidateFunction;
  readonly json: ValidateFunction;
  readonly output: ValidateFunction;
}

const compiled = new WeakMap<AnyAdminOperation, Validators>();

function validatorsOf(operation: AnyAdminOperation): Validators {
  let v = compiled.get(operation);
  if (v === undefined) {
    v = {
      text: textual.compile(operation.input as object),
      json: exact.compile(operation.input as object),
      output: exact.compile(operation.output as object),
    };
    compiled.set(operation, v);
  }
  return v;
}

/**
 * The operation's input from what the caller sent, or InvalidInput (400) naming each problem
 * (field and what is wrong). `textFields` are the names that came as text (path, query, form,
 * command-line options), which are coerced; the others must already have their JSON types.
 */
export function checkedInput(
  operation: AnyAdminOperation,
  fields: Readonly<Record<string, unknown>>,
  options: { fromText: boolean },
): Record<string, unknown> {
  const input = structuredClone(fields) as Record<string, unknown>;
  const validate = options.fromText ? validatorsOf(operation).text : validatorsOf(operation).json;
  if (!validate(input)) {
    throw new InvalidInput(`invalid input: ${describe(validate.errors ?? [])}`, {
      code: 'ERR_ADMIN_INPUT',
    });
  }
  return input;
}

/** Whether the answer matches the documented schema; a mismatch is the gateway's fault (500). */
export function outputProblems(operation: AnyAdminOperation, output: unknown): string | undefined {
  const validate = validatorsOf(operation).output;
  return validate(output) ? undefined : describe(validate.errors ?? []);
}

/** Compiles every schema now: a broken definition stops start-up, not a request. */
export function compileAll(operations: readonly AnyAdminOperation[]): void {
  for (const operation of operations) validatorsOf(operation);
}

function describe(errors: readonly ErrorObject[]): string {
  return errors
    .map((e) => {
      const field = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '';
      if (e.keyword === 'required')
        return `${field ? `${field}.` : ''}${String(e.params.missingProperty)}: is required`;
      if (e.keyword === 'additionalProperties')
        return `${field ? `${field}.` : ''}${String(e.params.additionalProperty)}: is not a field of this operation`;
      return `${field || '(input)'}: ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** Shared pieces of the operations' schemas. */
export const SCHEMA = {
  patientId: {
    type: 'string',
    pattern: '^[A-Za-z0-9.-]{1,64}$',
    description: "The client's gateway id (Patient/<id>).",
  },
  personReference: {
    type: 'string',
    pattern: '^(Patient|RelatedPerson)/[A-Za-z0-9.-]{1,64}$',
    description: "A person of the client's portal: 'Patient/<id>' or 'RelatedPerson/<id>'.",
  },
  moment: { type: 'string', format: 'date-time' },
  date: { type: 'string', format: 'date' },
  id: { type: 'string', minLength: 1, maxLength: 200 },
  text: { type: 'string', minLength: 1, maxLength: 1000 },
} as const satisfies Record<string, JsonSchema>;
