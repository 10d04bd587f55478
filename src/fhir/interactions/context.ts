import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { AccessDecision, PolicyEngine } from '../../consent';
import { GatewayError } from '../../errors';
import type { FhirRequest, Principal } from '../request';
import type { ScopeGrant } from '../scope-check';
import type { GatewayResources } from '../sources/gateway';
import type { UpstreamDossier } from '../sources/upstream';
import type { PagingCursors } from '../paging';
import type { AuditLogReader } from '../audit-log/reader';

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
  /** The policy engine, for an interaction that decides per resource type ($everything). */
  readonly engine: PolicyEngine;
  readonly gateway: GatewayResources;
  readonly upstream: UpstreamDossier;
  readonly cursors: PagingCursors;
  readonly settings: FhirSettings;
  /** The client's access log, when the gateway serves AuditEvent (absent: nobody reads any). */
  readonly auditLog?: AuditLogReader;
  /** The request's arrival: the moment decided for. */
  readonly at: Date;
  /** X-Request-Id: the changes a write makes are recorded with it (their records and the request's side by side). */
  readonly requestId: string;
}

/** What an interaction answers with: judged and presented, ready to be audited and sent. */
export interface FhirResult {
  readonly status: number;
  readonly resource?: Resource;
  /** Headers the gateway sets itself (ETag, Last-Modified, Location); nothing of the upstream's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `Type/id` of every resource the answer shows, for the audit trail (of a stream: empty). */
  readonly shown: readonly string[];
  /**
   * The request line the audit trail records, when the interaction knows more than the request
   * says: a cursor page's request names only its type, the search it continues is in the cursor.
   */
  readonly auditQuery?: string;
  /**
   * A Bundle written out entry by entry instead of `resource` (Patient/$everything): routes.ts sends
   * it with chunked encoding. See StreamedBundle for what happens when it fails half way.
   */
  readonly stream?: StreamedBundle;
}

/**
 * A Bundle too large to hold, sent as it is composed. `bundle` is everything but the entries;
 * `entries` yields each entry judged and presented, in order. Nothing is sent before the first
 * entry (or the end): a failure that early still becomes an ordinary error answer. A failure after
 * that cuts the connection: the status line (200) is gone, so the answer ends without its closing
 * `]}` and chunked encoding's last chunk, and no client can take partial data for a whole export.
 */
export interface StreamedBundle {
  readonly bundle: Omit<Bundle, 'entry'>;
  readonly entries: AsyncIterable<BundleEntry>;
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

/**
 * A streamed result whose audit record (step 8) is written once the last entry has been composed,
 * with every resource it showed, and before the Bundle is closed: an export whose record cannot be
 * written never ends as valid JSON. A failure half way is recorded with its error, then rethrown so
 * that the connection is cut; a caller that goes away half way is recorded with what it was sent.
 */
export function auditedStream(
  result: FhirResult & { readonly stream: StreamedBundle },
  record: (shown: readonly string[], failure?: unknown) => Promise<void>,
): FhirResult {
  const inner = result.stream.entries;
  async function* entries(): AsyncGenerator<BundleEntry> {
    const shown: string[] = [];
    let outcome: 'complete' | 'failed' | 'aborted' = 'aborted';
    try {
      for await (const entry of inner) {
        shown.push(`${entry.resource?.resourceType ?? ''}/${entry.resource?.id ?? ''}`);
        yield entry;
      }
      outcome = 'complete';
    } catch (err) {
      outcome = 'failed';
      await record(shown, err).catch(() => undefined);
      throw err;
    } finally {
      if (outcome === 'aborted') await record(shown, new StreamAborted()).catch(() => undefined);
    }
    // A rejection here fails the stream: the Bundle is not closed.
    await record(shown);
  }
  return { ...result, stream: { bundle: result.stream.bundle, entries: entries() } };
}

/** The caller closed the connection before a streamed answer ended: recorded, never sent. */
export class StreamAborted extends GatewayError {
  constructor() {
    super('ERR_STREAM_ABORTED', 499, 'the client closed the connection before the answer ended');
  }
}
