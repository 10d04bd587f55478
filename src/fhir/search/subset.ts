import type { Resource } from '@medplum/fhirtypes';
import { choiceElementsOf, mandatoryElementsOf, summaryElementsOf } from './summary-elements';
import type { ResultParameters } from './result-parameters';

/** The tag FHIR puts on a resource that is shown in part (`_elements`, `_summary`). */
export const SUBSETTED = Object.freeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'subsetted',
});

/** Kept in every subset: what identifies the resource, and what changes the meaning of the rest. */
const ALWAYS: ReadonlySet<string> = new Set([
  'resourceType',
  'id',
  'meta',
  'implicitRules',
  'modifierExtension',
]);

/**
 * `_elements` and `_summary`, applied by the gateway to a match it has judged and presented: a new
 * object with only the elements asked for, the identifying and mandatory ones, and the SUBSETTED
 * tag. It only ever takes away from what judge allowed to be shown. Without either parameter (or
 * with `_summary=false`) the resource is returned as it is.
 */
export function subsetOf(resource: Resource, result: ResultParameters): Resource {
  const { summary, elements } = result;
  if (elements === undefined && (summary === undefined || summary === 'false' || summary === 'count'))
    return resource;
  const type = resource.resourceType;
  const mandatory = mandatoryElementsOf(type);
  let keep: (name: string) => boolean;
  if (elements !== undefined) {
    const asked = new Set(elements);
    keep = (name) => asked.has(name.replace(/\[x\]$/, '')) || mandatory.has(name);
  } else if (summary === 'true') {
    const inSummary = summaryElementsOf(type);
    keep = (name) => inSummary.has(name) || mandatory.has(name);
  } else if (summary === 'text') {
    keep = (name) => name === 'text' || mandatory.has(name);
  } else {
    keep = (name) => name !== 'text';
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (ALWAYS.has(key) || keep(elementName(key, type))) out[key] = value;
  }
  const meta = (resource.meta ?? {}) as NonNullable<Resource['meta']>;
  out.meta = { ...meta, tag: [...(meta.tag ?? []), { ...SUBSETTED }] };
  return out as unknown as Resource;
}

/**
 * The definition's name of a JSON key: a choice element (`valueQuantity`) is `value[x]`; a
 * primitive's extension (`_status`) goes with its element.
 */
function elementName(key: string, resourceType: string): string {
  const base = key.startsWith('_') ? key.slice(1) : key;
  for (const choice of choiceElementsOf(resourceType)) {
    const stem = choice.slice(0, -'[x]'.length);
    if (base.length > stem.length && base.startsWith(stem) && /[A-Z]/.test(base[stem.length]!)) return choice;
  }
  return base;
}
