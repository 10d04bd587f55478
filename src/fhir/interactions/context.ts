import type { Resource } from '@medplum/fhirtypes';
import type { AccessDecision } from '../../consent';
import type { FhirRequest, Principal } from '../request';
import type { ScopeGrant } from '../scope-check';
import type { GatewayResources } from '../sources/gateway';
import type { UpstreamDossier } from '../sources/upstream';
import type { PagingCursors } from '../paging';

/** The settings the interactions read (from `fhir` and the server's public URL). */
export interface FhirSettings {
  /** `<publicUrl>/fhir`, the base every URL the portal app sees starts with. */
  readonly fhirBase: string;
  readonly pageSize: number;
  readonly maxPageSize: number;
}

/** What an interaction gets: the request, who asks, what the scopes and the decision allow, the sources. */
export interface InteractionContext {
  readonly request: FhirRequest;
  readonly principal: Principal;
  readonly grant: ScopeGrant;
  readonly decision: AccessDecision;
  readonly gateway: GatewayResources;
  readonly upstream: UpstreamDossier;
  readonly cursors: PagingCursors;
  readonly settings: FhirSettings;
  /** The request's arrival: the moment decided for. */
  readonly at: Date;
}

/** What an interaction answers with: judged and presented, ready to be audited and sent. */
export interface FhirResult {
  readonly status: number;
  readonly resource?: Resource;
  /** Headers the gateway sets itself (ETag, Last-Modified, Location); nothing of the upstream's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `Type/id` of every resource the answer shows, for the audit trail. */
  readonly shown: readonly string[];
}

export type Interaction = (context: InteractionContext) => Promise<FhirResult>;

/** The result of one shown resource, with its version headers. */
export function resourceResult(resource: Resource, status = 200): FhirResult {
  const headers: Record<string, string> = {};
  const versionId = resource.meta?.versionId;
  if (typeof versionId === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(versionId))
    headers.ETag = `W/"${versionId}"`;
  const lastUpdated = resource.meta?.lastUpdated;
  if (typeof lastUpdated === 'string' && !Number.isNaN(Date.parse(lastUpdated)))
    headers['Last-Modified'] = new Date(lastUpdated).toUTCString();
  return { status, resource, headers, shown: [`${resource.resourceType}/${resource.id ?? ''}`] };
}
