/**
 * SMART scopes (App Launch 2.2 "Scopes and launch context"), table by table: what parses and as
 * what (v1, v2, granular), what does not (and so grants nothing), what a registered scope covers, and
 * what a request is granted within a registration.
 */
import {
  CONTEXT_SCOPES,
  covers,
  grantableScopes,
  isResourceScope,
  malformedScopes,
  parseScope,
  scopeList,
  type ResourceScope,
  type SmartScope,
} from '../../src/auth/scopes';

const LAB = 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
const VITALS = 'category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';

function resource(text: string): ResourceScope {
  const scope = parseScope(text);
  if (scope?.kind !== 'resource') throw new Error(`${text} is not a resource scope`);
  return scope;
}
const perms = (scope: ResourceScope) => [...scope.permissions].join('');

describe('parseScope', () => {
  it.each(CONTEXT_SCOPES.map((s) => [s]))('SMART-SC1: the context scope %s parses as itself', (text) => {
    expect(parseScope(text)).toEqual({ kind: 'context', text });
    expect(isResourceScope(text)).toBe(false);
  });

  it.each([
    // text, context, type, permissions
    ['patient/*.rs', 'patient', '*', 'rs'],
    ['patient/Observation.rs', 'patient', 'Observation', 'rs'],
    ['patient/Observation.r', 'patient', 'Observation', 'r'],
    ['patient/Observation.s', 'patient', 'Observation', 's'],
    ['patient/Observation.c', 'patient', 'Observation', 'c'],
    ['patient/Observation.u', 'patient', 'Observation', 'u'],
    ['patient/Observation.d', 'patient', 'Observation', 'd'],
    ['patient/Observation.cruds', 'patient', 'Observation', 'cruds'],
    ['patient/Observation.cud', 'patient', 'Observation', 'cud'],
    ['patient/Observation.crs', 'patient', 'Observation', 'crs'],
    ['patient/Observation.rus', 'patient', 'Observation', 'rus'],
    ['user/*.rs', 'user', '*', 'rs'],
    ['user/Patient.cruds', 'user', 'Patient', 'cruds'],
    ['system/Patient.rs', 'system', 'Patient', 'rs'],
    ['system/*.s', 'system', '*', 's'],
    ['patient/AllergyIntolerance.rs', 'patient', 'AllergyIntolerance', 'rs'],
    ['patient/QuestionnaireResponse.cru', 'patient', 'QuestionnaireResponse', 'cru'],
  ])('SMART-SC2: v2 %s: %s, %s, .%s', (text, context, type, permissions) => {
    const scope = resource(text);
    expect(scope).toMatchObject({
      kind: 'resource',
      text,
      context,
      resourceType: type,
      version: 2,
      constraints: [],
    });
    expect(perms(scope)).toBe(permissions);
    expect(isResourceScope(text)).toBe(true);
  });

  it.each([
    // v1 suffix → v2 permissions (IG: .read ⇒ .rs, .write ⇒ .cud, .* ⇒ .cruds)
    ['patient/*.read', 'patient', '*', 'rs'],
    ['patient/Observation.read', 'patient', 'Observation', 'rs'],
    ['patient/Observation.write', 'patient', 'Observation', 'cud'],
    ['patient/Observation.*', 'patient', 'Observation', 'cruds'],
    ['patient/*.*', 'patient', '*', 'cruds'],
    ['user/*.read', 'user', '*', 'rs'],
    ['user/Patient.write', 'user', 'Patient', 'cud'],
    ['system/*.read', 'system', '*', 'rs'],
  ])('SMART-SC3: v1 %s maps to %s, %s, .%s, and keeps its text', (text, context, type, permissions) => {
    const scope = resource(text);
    expect(scope).toMatchObject({ text, context, resourceType: type, version: 1, constraints: [] });
    expect(perms(scope)).toBe(permissions);
  });

  it.each([
    [`patient/Observation.rs?${LAB}`, [['category', LAB.slice('category='.length)]]],
    ['patient/Observation.rs?code=http://loinc.org|1234-5', [['code', 'http://loinc.org|1234-5']]],
    [
      'patient/Observation.rs?category=a&status=final',
      [
        ['category', 'a'],
        ['status', 'final'],
      ],
    ],
    [
      'patient/Observation.rs?status=final&category=a',
      [
        ['status', 'final'],
        ['category', 'a'],
      ],
    ],
    ['patient/Observation.s?code:in=http://x/vs', [['code:in', 'http://x/vs']]],
    ['patient/Condition.rs?clinical-status=active', [['clinical-status', 'active']]],
    ['patient/Observation.rs?_tag=x', [['_tag', 'x']]],
    ['patient/Observation.rs?_lastUpdated=gt2020', [['_lastUpdated', 'gt2020']]],
    ['patient/*.rs?_security=R', [['_security', 'R']]],
    ['user/Observation.rs?category=laboratory', [['category', 'laboratory']]],
  ])('SMART-SC4: granular %s has its constraints in the order written', (text, constraints) => {
    const scope = resource(text);
    expect(scope.version).toBe(2);
    expect(scope.constraints).toEqual(constraints);
  });

  it.each([
    // Permissions out of order, repeated, unknown or missing (the IG: MAY be ignored; here: grants nothing).
    ['patient/Observation.sr'],
    ['patient/Observation.rc'],
    ['patient/Observation.dus'],
    ['patient/Observation.rrs'],
    ['patient/Observation.ss'],
    ['patient/Observation.rx'],
    ['patient/Observation.'],
    ['patient/Observation'],
    ['patient/Observation.R'],
    ['patient/Observation.RS'],
    ['patient/Observation.read.s'],
    ['patient/Observation.reads'],
    ['patient/Observation.writes'],
    // Contexts.
    ['Patient/*.rs'],
    ['*/*.read'],
    ['*/Observation.rs'],
    ['group/*.rs'],
    ['practitioner/*.rs'],
    ['/*.rs'],
    // Types: lower-case, unknown, partial, odd characters.
    ['patient/observation.rs'],
    ['patient/Foo.rs'],
    ['patient/Foo.read'],
    ['patient/Observations.rs'],
    ['patient/Obs3rvation.rs'],
    ['patient/Observation_x.rs'],
    ['patient/**.rs'],
    ['patient/.rs'],
    ['patient/*'],
    // Granular constraints that are not name=value pairs.
    ['patient/Foo.rs?x'],
    ['patient/Observation.rs?x'],
    ['patient/Observation.rs?'],
    ['patient/Observation.rs?category='],
    ['patient/Observation.rs?=laboratory'],
    ['patient/Observation.rs?category=a&'],
    ['patient/Observation.rs?&category=a'],
    ['patient/Observation.rs?category=a=b'],
    ['patient/Observation.rs?Category=a'],
    ['patient/Observation.rs?1category=a'],
    // v1 suffixes do not take constraints.
    ['patient/Observation.read?category=a'],
    // Unknown words and launch contexts the gateway does not offer.
    ['everything'],
    ['launch/encounter'],
    ['launch/Patient'],
    ['online_access'],
    ['OPENID'],
    ['openid '],
    [''],
    ['system/introspect.rs'],
  ])('SMART-SC5: %j is unknown or malformed: it does not parse', (text) => {
    expect(parseScope(text)).toBeUndefined();
    expect(isResourceScope(text)).toBe(false);
  });
});

describe('scopeList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['   ', []],
    ['openid', ['openid']],
    ['openid  fhirUser', ['openid', 'fhirUser']],
    ['\topenid\nfhirUser ', ['openid', 'fhirUser']],
    ['openid fhirUser openid', ['openid', 'fhirUser']],
    ['patient/*.rs launch/patient', ['patient/*.rs', 'launch/patient']],
  ])('SMART-SC6: %j splits into %j (in order, without repeats)', (text, list) => {
    expect(scopeList(text)).toEqual(list);
  });
});

describe('covers', () => {
  const p = (text: string): SmartScope => {
    const scope = parseScope(text);
    if (!scope) throw new Error(`${text} does not parse`);
    return scope;
  };

  it.each([
    // registered, requested, covered?
    ['patient/*.rs', 'patient/Observation.rs', true],
    ['patient/*.rs', 'patient/Observation.r', true],
    ['patient/*.rs', 'patient/Observation.s', true],
    ['patient/*.rs', 'patient/*.rs', true],
    ['patient/*.rs', 'patient/Observation.read', true],
    ['patient/*.rs', 'patient/*.read', true],
    ['patient/*.rs', 'patient/Observation.cruds', false],
    ['patient/*.rs', 'patient/Observation.c', false],
    ['patient/*.rs', 'patient/Observation.write', false],
    ['patient/*.rs', 'patient/Observation.*', false],
    ['patient/*.rs', 'user/Observation.rs', false],
    ['patient/*.rs', 'system/Observation.rs', false],
    ['patient/*.read', 'patient/Observation.rs', true],
    ['patient/*.*', 'patient/Observation.cruds', true],
    ['patient/*.cruds', 'patient/Observation.write', true],
    ['patient/Observation.rs', 'patient/Observation.rs', true],
    ['patient/Observation.rs', 'patient/Observation.r', true],
    ['patient/Observation.rs', 'patient/Condition.rs', false],
    ['patient/Observation.rs', 'patient/*.rs', false],
    ['patient/Observation.r', 'patient/Observation.rs', false],
    ['user/*.rs', 'patient/*.rs', false],
    ['user/*.rs', 'user/Patient.rs', true],
    ['system/*.rs', 'system/Patient.rs', true],
    ['system/*.rs', 'user/Patient.rs', false],
    // Granular: an unconstrained registration covers constrained requests, not the other way round.
    ['patient/*.rs', `patient/Observation.rs?${LAB}`, true],
    ['patient/Observation.rs', `patient/Observation.rs?${LAB}`, true],
    [`patient/Observation.rs?${LAB}`, `patient/Observation.rs?${LAB}`, true],
    [`patient/Observation.rs?${LAB}`, `patient/Observation.rs?${LAB}&status=final`, true],
    [`patient/Observation.rs?${LAB}`, 'patient/Observation.rs', false],
    [`patient/Observation.rs?${LAB}`, `patient/Observation.rs?${VITALS}`, false],
    [`patient/Observation.rs?${LAB}`, `patient/Observation.cruds?${LAB}`, false],
    [`patient/Observation.rs?${LAB}&status=final`, `patient/Observation.rs?${LAB}`, false],
    // Context scopes cover only themselves.
    ['openid', 'openid', true],
    ['openid', 'fhirUser', false],
    ['launch', 'launch/patient', false],
    ['launch/patient', 'launch', false],
    ['offline_access', 'offline_access', true],
    ['system/introspect', 'system/introspect', true],
    ['system/*.rs', 'system/introspect', false],
    ['system/introspect', 'system/Patient.rs', false],
    ['openid', 'patient/*.rs', false],
  ])('SMART-SC7: %s covers %s: %s', (registered, requested, expected) => {
    expect(covers(p(registered), p(requested))).toBe(expected);
  });
});

describe('grantableScopes', () => {
  const APP = 'launch launch/patient openid fhirUser profile offline_access patient/*.rs user/*.rs'.split(
    ' ',
  );

  it.each([
    // requested, registered, granted
    [
      'launch/patient openid fhirUser offline_access patient/*.rs',
      APP,
      'launch/patient openid fhirUser offline_access patient/*.rs',
    ],
    // The order of the request is kept.
    ['patient/*.rs openid launch/patient', APP, 'patient/*.rs openid launch/patient'],
    ['fhirUser openid', APP, 'fhirUser openid'],
    // v1 requests get v1 scopes back.
    ['patient/Observation.read patient/*.read', APP, 'patient/Observation.read patient/*.read'],
    // Granular requests are granted as asked.
    [
      `patient/Observation.rs?${LAB} patient/Patient.rs`,
      APP,
      `patient/Observation.rs?${LAB} patient/Patient.rs`,
    ],
    // Beyond the registration: dropped.
    ['patient/*.cruds patient/Observation.write openid', APP, 'openid'],
    ['system/*.rs system/introspect openid', APP, 'openid'],
    ['launch/patient patient/*.rs', ['openid', 'patient/Observation.rs'], ''],
    [
      'patient/*.rs patient/Observation.rs patient/Observation.s',
      ['patient/Observation.rs'],
      'patient/Observation.rs patient/Observation.s',
    ],
    [
      `patient/Observation.rs patient/Observation.rs?${LAB}`,
      [`patient/Observation.rs?${LAB}`],
      `patient/Observation.rs?${LAB}`,
    ],
    ['offline_access openid', ['openid'], 'openid'],
    // Unknown and malformed: dropped, the rest granted.
    ['patient/Observation.sr patient/Foo.rs?x patient/Observation.rs', APP, 'patient/Observation.rs'],
    ['everything launch/encounter openid', APP, 'openid'],
    ['patient/Foo.rs patient/Patient.rs', APP, 'patient/Patient.rs'],
    // Nothing asked, or nothing registered: nothing.
    ['', APP, ''],
    ['openid patient/*.rs', [], ''],
    // A malformed registration grants nothing either.
    ['patient/Observation.rs', ['patient/*.sr', 'patient/Foo.rs'], ''],
    // Backend registrations.
    [
      'system/Patient.rs system/Observation.rs',
      ['system/Patient.rs', 'system/Observation.rs'],
      'system/Patient.rs system/Observation.rs',
    ],
    ['system/Patient.rs system/Encounter.rs', ['system/Patient.rs'], 'system/Patient.rs'],
    ['system/introspect', ['system/introspect'], 'system/introspect'],
  ])('SMART-SC8: %j within %j grants %j', (requested, registered, granted) => {
    expect(grantableScopes(scopeList(requested), registered)).toEqual(scopeList(granted));
  });

  it('SMART-SC8b: a repeated request is granted once (scopeList drops repeats)', () => {
    expect(grantableScopes(scopeList('openid openid patient/*.rs patient/*.rs'), APP)).toEqual([
      'openid',
      'patient/*.rs',
    ]);
  });
});

describe('malformedScopes', () => {
  it.each([
    [['openid', 'patient/*.rs'], []],
    [
      ['openid', 'patient/*.sr', 'patient/Foo.rs', 'everything'],
      ['patient/*.sr', 'patient/Foo.rs', 'everything'],
    ],
    [[`patient/Observation.rs?${LAB}`, 'system/introspect', 'patient/*.read'], []],
  ])('SMART-SC9: in %j the malformed registrations are %j', (registered, malformed) => {
    expect(malformedScopes(registered)).toEqual(malformed);
  });
});
