import { tryParseReference, type PatientReference, type PortalSection } from '../vocabulary';
import { AccessDenied, UnsafeQuery } from './access-errors';
import { compartmentBinding } from './compartment';
import { dateParameterOf } from './data-period';
import {
  isFhirResourceType,
  patientCompartmentParameters,
  searchParameterOf,
  type SearchParameterType,
} from './fhir-definitions';
import { alternativesOf, escapeSearchValue, type FhirSearch, type SearchParameter } from './request';
import type { SectionPolicy } from './section-policy';
import { sectionsFor, type SectionMapping } from './sections';

/**
 * `narrow`: a search restricted to what a decision allows, before it is sent upstream.
 *
 * What is added (FHIR combines repeated parameters with AND, so each can only take away):
 * - the patient compartment: the compartment parameter naming the record's subject
 *   (`Observation?subject=Patient/x`, `CarePlan?patient=Patient/x`, `Patient?_id=x`);
 * - the allowed sections, for a type placed by category (`category=vital-signs,laboratory`, or
 *   `category:not=…` for each code of a section not allowed when the `otherwise` section is);
 * - the period of data, as bounds on the type's date parameter (`date=ge…&date=lt…`). When the
 *   type's allowed sections have different periods, the widest is used: `judge` is exact.
 *
 * What is refused, with UnsafeQuery, is anything that could widen the search, reach another
 * patient's data, or read data the decision does not show: `_has`, `_filter`, `_type`, `_query`,
 * `_text`, `_content`, `_list`, `_elements`, `_summary`, chains (`subject.name`), a compartment
 * parameter with any value but the patient in context (another patient, a bare id, an absolute URL),
 * `_id` of another Patient, a reference to an employee under mask-employees, composite and special
 * parameters, and every parameter or modifier not understood here. Fail closed: what is not
 * recognised is refused, never dropped or passed on.
 *
 * Pure: the input is not changed.
 */
export interface NarrowContext {
  readonly patient: PatientReference;
  readonly mapping: SectionMapping;
  readonly policy: SectionPolicy;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_NAME = /^[A-Z][A-Za-z]{1,63}$/;
const EMPLOYEE_TYPES: ReadonlySet<string> = new Set(['Practitioner', 'PractitionerRole']);

const MODIFIERS: Readonly<Record<SearchParameterType, ReadonlySet<string>>> = {
  token: new Set(['not', 'text', 'in', 'not-in', 'above', 'below', 'of-type', 'missing']),
  string: new Set(['exact', 'contains', 'missing']),
  date: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  uri: new Set(['above', 'below', 'missing']),
  reference: new Set(['missing']),
  composite: new Set(),
  special: new Set(),
};

/** Parameters of Resource that restrict by the resource's own metadata, and may stay. */
const META_PARAMETERS: ReadonlySet<string> = new Set([
  '_id',
  '_lastUpdated',
  '_profile',
  '_security',
  '_tag',
]);

/** Named refusals, so that the caller learns why. */
const REFUSED: Readonly<Record<string, string>> = {
  _has: 'reverse chaining selects by other resources the user may not see',
  _filter: 'a filter expression can widen the search',
  _type: 'a search across types is not narrowed; search one type',
  _query: 'named queries are not supported',
  _text: 'a text search reads narrative the user may not see',
  _content: 'a content search reads data the user may not see',
  _list: 'a list search reads a List the user may not see',
  _elements: 'a partial resource cannot be checked before it is shown',
  _summary: 'a partial resource cannot be checked before it is shown',
  _contained: 'contained resources are checked with the resource that contains them',
  _containedType: 'contained resources are checked with the resource that contains them',
  _total: 'a total is not computed on the narrowed set',
  _source: 'not supported',
};

/** The search, restricted to the patient, the allowed sections and the allowed period. */
export function narrowSearch(context: NarrowContext, search: FhirSearch): FhirSearch {
  const type = search.resourceType;
  if (typeof type !== 'string' || !TYPE_NAME.test(type) || !isFhirResourceType(type))
    throw new AccessDenied(`'${String(type)}' is not a FHIR resource type`);
  const sections = sectionsFor(type, [], context.mapping);
  const allowed = sections.filter((s) => context.policy.allowed.has(s));
  if (sections.length === 0) throw new AccessDenied(`${type} belongs to no portal section`);
  if (allowed.length === 0) throw new AccessDenied(`no section of ${type} is allowed`);
  const binding = compartmentBinding(type, context.patient);
  if (!binding) throw new AccessDenied(`${type} cannot be placed in a patient's compartment`);

  for (const parameter of search.parameters) checkParameter(type, parameter, context);

  const added: SearchParameter[] = [{ name: binding.name, value: binding.value }];
  added.push(...sectionRestriction(type, allowed, context));
  added.push(...periodRestriction(type, allowed, context));
  return Object.freeze({
    resourceType: type,
    parameters: Object.freeze([...search.parameters, ...added].map((p) => Object.freeze({ ...p }))),
  });
}

function checkParameter(type: string, parameter: SearchParameter, context: NarrowContext): void {
  const { name, modifier, value } = parameter;
  const shown = modifier === undefined ? String(name) : `${String(name)}:${String(modifier)}`;
  if (typeof name !== 'string' || !NAME.test(name))
    throw new UnsafeQuery(shown, 'chained or malformed parameters are refused');
  const refusal = REFUSED[name];
  if (refusal !== undefined && Object.hasOwn(REFUSED, name)) throw new UnsafeQuery(shown, refusal);
  if (modifier !== undefined && (typeof modifier !== 'string' || !/^[a-z-]+$/.test(modifier)))
    throw new UnsafeQuery(shown, 'chains, type modifiers and iterate are refused');
  if (typeof value !== 'string' || value.length === 0)
    throw new UnsafeQuery(shown, 'a parameter needs a value');

  switch (name) {
    case '_count':
      if (modifier !== undefined || !/^\d{1,4}$/.test(value))
        throw new UnsafeQuery(shown, 'expected a number of entries');
      return;
    case '_sort':
      return checkSort(type, shown, parameter);
    case '_include':
    case '_revinclude':
      return checkInclude(type, shown, parameter);
  }
  if (name.startsWith('_') && !META_PARAMETERS.has(name))
    throw new UnsafeQuery(shown, 'not a parameter that can be narrowed');
  const definition = searchParameterOf(type, name);
  if (!definition) throw new UnsafeQuery(shown, `not a search parameter of ${type}`);
  if (modifier !== undefined && !MODIFIERS[definition.type].has(modifier))
    throw new UnsafeQuery(shown, `the modifier is not supported for a ${definition.type} parameter`);
  if (definition.type === 'composite' || definition.type === 'special')
    throw new UnsafeQuery(shown, `${definition.type} parameters are not supported`);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw new UnsafeQuery(shown, 'expected true or false');
    if (isCompartmentParameter(type, name)) throw new UnsafeQuery(shown, 'the patient compartment is fixed');
    return;
  }
  const alternatives = alternativesOf(value);
  if (name === '_id') {
    for (const id of alternatives) {
      if (!FHIR_ID.test(id)) throw new UnsafeQuery(shown, 'expected resource ids');
      if (type === 'Patient' && `Patient/${id}` !== context.patient)
        throw new UnsafeQuery(shown, 'only the patient in context can be asked for');
    }
    return;
  }
  if (isCompartmentParameter(type, name)) {
    if (alternatives.some((a) => a !== context.patient))
      throw new UnsafeQuery(shown, `only the patient in context (Patient/<id>) can be asked for`);
    return;
  }
  if (definition.type === 'reference') {
    for (const alternative of alternatives) {
      const reference = tryParseReference(alternative);
      if (!reference)
        throw new UnsafeQuery(shown, 'a reference must be Type/id (no bare id, URL or version)');
      if (reference.resourceType === 'Patient' && reference.reference !== context.patient)
        throw new UnsafeQuery(shown, 'only the patient in context can be asked for');
      if (context.policy.maskEmployees && EMPLOYEE_TYPES.has(reference.resourceType))
        throw new UnsafeQuery(shown, "employees' identities are not shown, so they cannot be searched for");
    }
  }
}

function isCompartmentParameter(type: string, name: string): boolean {
  return patientCompartmentParameters(type)?.includes(name) === true;
}

function checkSort(type: string, shown: string, parameter: SearchParameter): void {
  if (parameter.modifier !== undefined) throw new UnsafeQuery(shown, 'no modifier is supported');
  for (const key of alternativesOf(parameter.value)) {
    const code = key.startsWith('-') ? key.slice(1) : key;
    const definition = searchParameterOf(type, code);
    const sortable = definition && definition.type !== 'composite' && definition.type !== 'special';
    if (!sortable || (code.startsWith('_') && !META_PARAMETERS.has(code)))
      throw new UnsafeQuery(shown, `cannot sort ${type} by '${code}'`);
  }
}

function checkInclude(type: string, shown: string, parameter: SearchParameter): void {
  if (parameter.modifier !== undefined)
    throw new UnsafeQuery(shown, 'iterate and other modifiers are not supported');
  for (const include of alternativesOf(parameter.value)) {
    const [source, code, target, ...rest] = include.split(':');
    const valid =
      source !== undefined &&
      code !== undefined &&
      rest.length === 0 &&
      TYPE_NAME.test(source) &&
      (target === undefined || TYPE_NAME.test(target)) &&
      (parameter.name === '_revinclude' || source === type) &&
      searchParameterOf(source, code)?.type === 'reference';
    // What an include brings is judged resource by resource, like every entry of the answer.
    if (!valid) throw new UnsafeQuery(shown, 'expected Type:parameter[:TargetType] of a reference parameter');
  }
}

/** For a type placed by category with only some of its sections allowed: the category bound. */
function sectionRestriction(
  type: string,
  allowed: readonly PortalSection[],
  context: NarrowContext,
): SearchParameter[] {
  const entry = Object.hasOwn(context.mapping, type) ? context.mapping[type] : undefined;
  if (entry === undefined || typeof entry === 'string') return [];
  const codes = Object.entries(entry.byCategory);
  const refusedCodes = codes.filter(([, section]) => !allowed.includes(section)).map(([code]) => code);
  if (refusedCodes.length === 0 && allowed.includes(entry.otherwise)) return [];
  if (allowed.includes(entry.otherwise)) {
    return refusedCodes.map((code) => ({
      name: 'category',
      modifier: 'not',
      value: escapeSearchValue(code),
    }));
  }
  const allowedCodes = codes.filter(([, section]) => allowed.includes(section)).map(([code]) => code);
  return [{ name: 'category', value: allowedCodes.map(escapeSearchValue).join(',') }];
}

/** The widest data period among the type's allowed sections, as date bounds. */
function periodRestriction(
  type: string,
  allowed: readonly PortalSection[],
  context: NarrowContext,
): SearchParameter[] {
  let from = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  for (const section of allowed) {
    const period = context.policy.allowed.get(section)?.period;
    from = Math.min(from, period?.from ?? Number.NEGATIVE_INFINITY);
    until = Math.max(until, period?.until ?? Number.POSITIVE_INFINITY);
  }
  const bounded = from !== Number.NEGATIVE_INFINITY || until !== Number.POSITIVE_INFINITY;
  if (!bounded) return [];
  const parameter = dateParameterOf(type);
  if (!parameter) throw new AccessDenied(`the allowed period of data cannot be applied to ${type}`);
  if (!(from < until)) throw new AccessDenied(`the allowed period of data for ${type} is empty`);
  return [
    ...(from === Number.NEGATIVE_INFINITY
      ? []
      : [{ name: parameter, value: `ge${new Date(from).toISOString()}` }]),
    ...(until === Number.POSITIVE_INFINITY
      ? []
      : [{ name: parameter, value: `lt${new Date(until).toISOString()}` }]),
  ];
}
