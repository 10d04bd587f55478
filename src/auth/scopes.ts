/**
 * SMART scopes (App Launch 2.2, "Scopes and launch context"): parsing v1 and v2 resource scopes,
 * including granular ones (`patient/Observation.rs?category=…`), and deciding which requested scopes
 * a client may be granted. A scope that does not parse grants nothing; a granted scope never exceeds
 * what the client is registered for.
 */

import { FHIR_RESOURCE_TYPES } from './resource-types';

export type ScopeContext = 'patient' | 'user' | 'system';

/** The SMART v2 permissions, in their required order. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
const PERMISSION_ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];

export interface ResourceScope {
  readonly kind: 'resource';
  /** The scope as written (kept, so that a v1 request gets v1 scopes back). */
  readonly text: string;
  readonly context: ScopeContext;
  /** A FHIR resource type, or '*' for all. */
  readonly resourceType: string;
  readonly permissions: ReadonlySet<Permission>;
  /** The granular constraint (`category=…`), as name/value pairs in the order written. */
  readonly constraints: readonly (readonly [string, string])[];
  readonly version: 1 | 2;
}

/** Scopes that are not about resources: identity, launch context, refresh. */
export const CONTEXT_SCOPES = [
  'openid',
  'fhirUser',
  'profile',
  'launch',
  'launch/patient',
  'offline_access',
  // Not a resource scope: lets a backend client introspect any token (SMART token introspection).
  'system/introspect',
] as const;
export type ContextScope = (typeof CONTEXT_SCOPES)[number];

export interface OtherScope {
  readonly kind: 'context';
  readonly text: ContextScope;
}

export type SmartScope = ResourceScope | OtherScope;

const V2 = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([cruds]+)(?:\?(.+))?$/;
const V1 = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*)$/;
/**
 * A granular constraint: a search parameter name (FHIR's are lower-case with hyphens, or start with
 * an underscore such as `_tag` and `_lastUpdated`), an optional modifier, and a value without spaces,
 * '=' or '&'.
 */
const CONSTRAINT = /^((?:_[a-zA-Z]+|[a-z][a-z0-9-]*)(?::[a-zA-Z-]+)?)=([^&=\s]+)$/;

const V1_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

function orderedPermissions(letters: string): Set<Permission> | undefined {
  let last = -1;
  const out = new Set<Permission>();
  for (const letter of letters) {
    const index = PERMISSION_ORDER.indexOf(letter as Permission);
    // Out of order or repeated (`.sr`, `.rr`): malformed, so it grants nothing.
    if (index <= last) return undefined;
    last = index;
    out.add(letter as Permission);
  }
  return out;
}

/** '*' or a resource type of FHIR R4: a scope naming anything else (`patient/Foo.rs`) is unknown. */
function isResourceType(type: string): boolean {
  return type === '*' || FHIR_RESOURCE_TYPES.has(type);
}

/** Parses one scope; undefined when it is unknown or malformed. */
export function parseScope(text: string): SmartScope | undefined {
  if ((CONTEXT_SCOPES as readonly string[]).includes(text))
    return { kind: 'context', text: text as ContextScope };
  const v2 = V2.exec(text);
  if (v2 && !isResourceType(v2[2]!)) return undefined;
  if (v2) {
    const permissions = orderedPermissions(v2[3]!);
    if (!permissions) return undefined;
    const constraints: [string, string][] = [];
    if (v2[4] !== undefined) {
      for (const part of v2[4].split('&')) {
        const match = CONSTRAINT.exec(part);
        if (!match) return undefined;
        constraints.push([match[1]!, match[2]!]);
      }
    }
    return {
      kind: 'resource',
      text,
      context: v2[1] as ScopeContext,
      resourceType: v2[2]!,
      permissions,
      constraints,
      version: 2,
    };
  }
  const v1 = V1.exec(text);
  if (v1 && !isResourceType(v1[2]!)) return undefined;
  if (v1) {
    return {
      kind: 'resource',
      text,
      context: v1[1] as ScopeContext,
      resourceType: v1[2]!,
      permissions: new Set(V1_PERMISSIONS[v1[3]!]),
      constraints: [],
      version: 1,
    };
  }
  return undefined;
}

/** Splits a space-separated scope parameter, dropping empty parts and repeats. */
export function scopeList(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter((s) => s !== ''))];
}

/** Whether the registered scope allows everything the requested one asks for. */
export function covers(registered: SmartScope, requested: SmartScope): boolean {
  if (registered.kind === 'context' || requested.kind === 'context') {
    return registered.kind === requested.kind && registered.text === requested.text;
  }
  if (registered.context !== requested.context) return false;
  if (registered.resourceType !== '*' && registered.resourceType !== requested.resourceType) return false;
  for (const permission of requested.permissions) if (!registered.permissions.has(permission)) return false;
  // A constrained registration covers only requests with at least the same constraints.
  return registered.constraints.every(([name, value]) =>
    requested.constraints.some(([n, v]) => n === name && v === value),
  );
}

/**
 * The requested scopes the client may be granted: those that parse and are covered by one of its
 * registered scopes, in the order requested. Unknown, malformed and unregistered ones are dropped.
 */
export function grantableScopes(requested: readonly string[], registered: readonly string[]): string[] {
  const allowed = registered.map(parseScope).filter((s): s is SmartScope => s !== undefined);
  return requested.filter((text) => {
    const scope = parseScope(text);
    return scope !== undefined && allowed.some((r) => covers(r, scope));
  });
}

/** The registered scopes that do not parse: a configuration error, reported at start-up. */
export function malformedScopes(registered: readonly string[]): string[] {
  return registered.filter((text) => parseScope(text) === undefined);
}

/** Whether a scope is one of the resource scopes (as opposed to identity or launch context). */
export function isResourceScope(text: string): boolean {
  return parseScope(text)?.kind === 'resource';
}
