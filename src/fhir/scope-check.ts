import type { Resource } from '@medplum/fhirtypes';
import type { ResourceScope } from '../auth';
import type { SearchParameter } from '../consent';
import { ScopeInsufficient } from './errors';
import type { FhirRequest, Principal } from './request';

/**
 * Step 3, the scope check: before anything is decided or fetched, do the token's SMART scopes allow
 * this interaction on this type (leak vector 8: a refusal that waits for the results tells whether
 * there were any)? Only scopes that parsed reach here (authenticate drops the rest, leak vector 23).
 * Several scopes for one type are OR-ed. A granular scope (`patient/Observation.rs?category=…`)
 * allows only resources that meet its constraints: the search is narrowed to them where it can be,
 * and every resource of the answer is held against them again (`allowsResource`).
 */

/** The SMART v2 permission an interaction needs. */
export type ScopePermission = 'c' | 'r' | 'u' | 'd' | 's';

/** What the scopes allow of one type, for one permission. */
export interface ScopeGrant {
  readonly resourceType: string;
  readonly permission: ScopePermission;
  /** Empty: the whole type. Otherwise each entry is one granular scope's constraints (OR-ed). */
  readonly constraints: readonly (readonly (readonly [string, string])[])[];
}

/** Constraint names the gateway can hold a resource against; a scope with any other grants nothing. */
const UNDERSTOOD_CONSTRAINTS = new Set(['category']);

export function permissionOf(request: FhirRequest): ScopePermission {
  switch (request.interaction) {
    case 'search':
      return 's';
    case 'create':
      return 'c';
    case 'update':
    case 'patch':
      return 'u';
    case 'delete':
      return 'd';
    default:
      return 'r';
  }
}

/** The grant of the principal's scopes for one type and permission, or undefined when there is none. */
export function grantFor(
  scopes: readonly ResourceScope[],
  resourceType: string,
  permission: ScopePermission,
): ScopeGrant | undefined {
  const matching = scopes.filter(
    (s) =>
      (s.resourceType === '*' || s.resourceType === resourceType) &&
      s.permissions.has(permission) &&
      s.constraints.every(([name]) => UNDERSTOOD_CONSTRAINTS.has(name.split(':')[0]!) && !name.includes(':')),
  );
  if (matching.length === 0) return undefined;
  const whole = matching.some((s) => s.constraints.length === 0);
  return Object.freeze({
    resourceType,
    permission,
    constraints: whole ? [] : matching.map((s) => s.constraints),
  });
}

/** The scope check of a request: its grant, or 403 before any upstream call. */
export function checkScopes(principal: Principal, request: FhirRequest): ScopeGrant {
  const type = request.resourceType;
  if (type === undefined) throw new ScopeInsufficient('the request names no resource type');
  const permission = permissionOf(request);
  // $everything returns many types: it needs a search scope for one of them at least, and each
  // type it returns is held against the scopes of its own (leak vector 13).
  if (request.interaction === 'everything') {
    const some = principal.scopes.some(
      (s) => s.permissions.has('s') && grantFor([s], s.resourceType === '*' ? type : s.resourceType, 's'),
    );
    if (!some) throw new ScopeInsufficient("the access token's scopes allow searching no resource type");
    return Object.freeze({ resourceType: type, permission: 's', constraints: [] });
  }
  const grant = grantFor(principal.scopes, type, permission);
  if (!grant)
    throw new ScopeInsufficient(
      `the access token's scopes do not allow ${permissionWord(permission)} ${type}`,
    );
  return grant;
}

/**
 * Whether a resource of the answer meets the scopes: its type must be granted (for an included or
 * `$everything` resource, the type it has, not the type asked for: leak vector 13), and it must meet
 * the constraints of at least one granular scope.
 */
export function allowsResource(
  scopes: readonly ResourceScope[],
  resource: Resource,
  permission: ScopePermission,
): boolean {
  const grant = grantFor(scopes, resource.resourceType, permission);
  if (!grant) return false;
  if (grant.constraints.length === 0) return true;
  return grant.constraints.some((constraints) =>
    constraints.every(([name, value]) => meets(resource, name, value)),
  );
}

/**
 * The parameters that narrow a search to a granular grant, when they can be stated as one search:
 * every scope constrained by category alone gives `category=a,b` (FHIR's OR). Empty when the grant
 * is the whole type, or when its constraints cannot be combined into one parameter (then the filter
 * applies them, entry by entry).
 */
export function scopeNarrowing(grant: ScopeGrant): SearchParameter[] {
  if (grant.constraints.length === 0) return [];
  const categories: string[] = [];
  for (const constraints of grant.constraints) {
    if (constraints.length !== 1 || constraints[0]![0] !== 'category') return [];
    categories.push(constraints[0]![1]);
  }
  return [{ name: 'category', value: categories.join(',') }];
}

function meets(resource: Resource, name: string, value: string): boolean {
  if (name !== 'category') return false;
  const [system, code] = value.includes('|') ? value.split('|', 2) : [undefined, value];
  const category = (resource as { category?: unknown }).category;
  const concepts = Array.isArray(category) ? category : category === undefined ? [] : [category];
  return concepts.some((concept) =>
    ((concept as { coding?: unknown })?.coding instanceof Array
      ? (concept as { coding: unknown[] }).coding
      : []
    ).some((coding) => {
      const c = coding as { system?: unknown; code?: unknown };
      return c.code === code && (system === undefined || system === '' || c.system === system);
    }),
  );
}

function permissionWord(permission: ScopePermission): string {
  return { c: 'creating', r: 'reading', u: 'updating', d: 'deleting', s: 'searching' }[permission];
}
