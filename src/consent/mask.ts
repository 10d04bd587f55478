import type { Resource } from '@medplum/fhirtypes';
import { tryParseReference } from '../vocabulary';

/**
 * The mask-employees obligation (Amerpoort A-2: employees' identities stay out of portal
 * responses): a copy of a resource in which every reference to an employee is reduced to the
 * words below, with nothing that identifies the person (no reference, no identifier, no name).
 *
 * - A reference to a Practitioner or PractitionerRole (by its `reference`, its `type`, or the
 *   contained resource it points to) is replaced by `{ type, display: EMPLOYEE }`.
 * - A reference that does not say what it points to (a display or identifier only, an absolute URL)
 *   is treated as an employee's: we cannot tell that it is not one.
 * - An Annotation's `authorString` is replaced by EMPLOYEE; a contained Practitioner or
 *   PractitionerRole keeps only its type and id.
 * - The narrative (`text`) is dropped: it is free text that may name anyone.
 *
 * References to the client, relatives, organisations, devices and so on are kept. Free text in other
 * elements (a note's text, a value string) is not read: the ECD's data is expected to keep names
 * out of it.
 */
export const EMPLOYEE = 'medewerker';

const EMPLOYEE_TYPES: ReadonlySet<string> = new Set(['Practitioner', 'PractitionerRole']);
const REFERENCE_KEYS: ReadonlySet<string> = new Set([
  'id',
  'extension',
  'reference',
  'type',
  'identifier',
  'display',
]);

/** The masked copy; the resource itself when nothing had to change. Never changes its input. */
export function maskEmployees<T extends Resource>(resource: T): T {
  return maskResource(resource as unknown as Record<string, unknown>) as unknown as T;
}

function maskResource(resource: Record<string, unknown>): Record<string, unknown> {
  const contained = containedTypes(resource.contained);
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    let masked: unknown;
    if (key === 'text') masked = undefined;
    else if (key === 'contained' && Array.isArray(value)) masked = maskContained(value);
    else masked = maskValue(value, contained);
    if (masked !== value) {
      copy ??= { ...resource };
      if (masked === undefined) delete copy[key];
      else copy[key] = masked;
    }
  }
  return copy ?? resource;
}

function maskContained(list: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  list.forEach((item, i) => {
    let masked = item;
    if (isObject(item)) {
      const type = item.resourceType;
      masked =
        typeof type === 'string' && EMPLOYEE_TYPES.has(type)
          ? { resourceType: type, ...(typeof item.id === 'string' ? { id: item.id } : {}) }
          : maskResource(item);
    }
    if (masked !== item) (copy ??= [...list])[i] = masked;
  });
  return copy ?? list;
}

function maskValue(value: unknown, contained: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const masked = maskValue(value[i], contained);
      if (masked !== value[i]) (copy ??= [...value])[i] = masked;
    }
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  if (isReference(value)) {
    const target = targetOf(value, contained);
    if (target !== undefined && !EMPLOYEE_TYPES.has(target)) return value;
    return target === undefined ? { display: EMPLOYEE } : { type: target, display: EMPLOYEE };
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const child = value[key];
    const masked =
      key === 'authorString' && typeof child === 'string' ? EMPLOYEE : maskValue(child, contained);
    if (masked !== child) (copy ??= { ...value })[key] = masked;
  }
  return copy ?? value;
}

/**
 * Whether an element is a Reference. Without the structure definitions we go by shape: it has a
 * `reference`, or only a Reference's keys and a display or identifier (a Coding has a system or code,
 * an Identifier a system or value). A Coding with nothing but a display is taken for a Reference and
 * masked, which is the safe side.
 */
function isReference(value: Record<string, unknown>): boolean {
  if (value.resourceType !== undefined) return false;
  if (typeof value.reference === 'string') return true;
  if (value.display === undefined && value.identifier === undefined) return false;
  for (const key of Object.keys(value)) if (!REFERENCE_KEYS.has(key)) return false;
  return value.type === undefined || typeof value.type === 'string';
}

/** The type a reference points to, or undefined when it does not say; an employee's type when either says so. */
function targetOf(
  reference: Record<string, unknown>,
  contained: ReadonlyMap<string, string>,
): string | undefined {
  const declared = typeof reference.type === 'string' ? reference.type : undefined;
  const text = reference.reference;
  if (typeof text !== 'string' || (declared !== undefined && EMPLOYEE_TYPES.has(declared))) return declared;
  if (text.startsWith('#')) return contained.get(text.slice(1));
  const versioned = /^([^/]+\/[^/]+)\/_history\/[^/]+$/.exec(text);
  return tryParseReference(versioned ? versioned[1] : text)?.resourceType ?? declared;
}

function containedTypes(contained: unknown): ReadonlyMap<string, string> {
  const types = new Map<string, string>();
  if (!Array.isArray(contained)) return types;
  for (const item of contained) {
    if (isObject(item) && typeof item.id === 'string' && typeof item.resourceType === 'string')
      types.set(item.id, item.resourceType);
  }
  return types;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
