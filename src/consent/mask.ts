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
  if (Object.getPrototypeOf(resource) !== Object.prototype) return maskResource({ ...resource });
  const contained = containedTypes(resource.contained);
  let copy: Record<string, unknown> | undefined;
  for (const key in resource) {
    const value = resource[key];
    const masked =
      key === 'text'
        ? undefined
        : key === 'contained' && Array.isArray(value)
          ? maskContained(value)
          : maskValue(value, contained);
    if (copy === undefined) {
      if (masked === value) continue;
      copy = copyUntil(resource, key);
    }
    if (masked !== undefined) copy[key] = masked;
  }
  return copy ?? resource;
}

/** A copy of the object's entries before `key` (for copy on write: the rest is decided one by one). */
function copyUntil(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const earlier in object) {
    if (earlier === key) break;
    copy[earlier] = object[earlier];
  }
  return copy;
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
  // Most values are text, numbers and codes: they are returned before any other test.
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const masked = maskValue(value[i], contained);
      if (masked !== value[i]) (copy ??= [...value])[i] = masked;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  if (isReference(object)) {
    const target = targetOf(object, contained);
    if (target !== undefined && !EMPLOYEE_TYPES.has(target)) return object;
    return target === undefined ? { display: EMPLOYEE } : { type: target, display: EMPLOYEE };
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const child = object[key];
    const masked =
      key === 'authorString' && typeof child === 'string' ? EMPLOYEE : maskValue(child, contained);
    if (copy === undefined) {
      if (masked === child) continue;
      copy = copyUntil(object, key);
    }
    copy[key] = masked;
  }
  return copy ?? object;
}

/**
 * Whether an element is a Reference. Without the structure definitions we go by shape: it has a
 * `reference`, or only a Reference's keys and a display or identifier (a Coding has a system or code,
 * an Identifier a system or value). A Coding with nothing but a display is taken for a Reference and
 * masked, which is the safe side.
 */
function isReference(value: Record<string, unknown>): boolean {
  if (typeof value.reference === 'string') return value.resourceType === undefined;
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
  return typeOfReference(text) ?? declared;
}

const referenceTypes = new Map<string, string | null>();

/** The type of a relative reference, versioned or not ('Patient/1', 'Practitioner/2/_history/3'); null otherwise. */
function typeOfReference(text: string): string | undefined {
  let type = referenceTypes.get(text);
  if (type === undefined) {
    const versioned = text.includes('/_history/') ? /^([^/]+\/[^/]+)\/_history\/[^/]+$/.exec(text) : null;
    type = tryParseReference(versioned ? versioned[1] : text)?.resourceType ?? null;
    // The same few references (the client, the team) recur on every resource.
    if (referenceTypes.size >= 10_000) referenceTypes.clear();
    referenceTypes.set(text, type);
  }
  return type ?? undefined;
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
