import { createHash } from 'node:crypto';
import type { Router } from 'express';
import { currentTermsVersion, type AuthorizationServer } from '../auth';
import type { GatewayConfig } from '../config';
import { sectionMappingOf, type PolicyEngine } from '../consent';
import type { ChangeRecorder } from '../ecd';
import type { Logger } from '../http';
import type { Store } from '../store';
import { auditLogReader } from './audit-log/reader';
import { logAuditSink, type FhirAuditSink } from './audit-sink';
import { PagingCursors } from './paging';
import { PatientLinks } from './patient-link';
import { fhirRouter } from './routes';
import { GatewayResources } from './sources/gateway';
import { UpstreamDossier } from './sources/upstream';
import { UpstreamClient } from './upstream-client';

/**
 * The consent-enforcing FHIR API (issue 10): the resource server pipeline of docs/architecture.md
 * in front of the upstream FHIR server. Owns fhir_patient_link.
 */
export { UpstreamClient, type UpstreamAnswer } from './upstream-client';
export {
  trailAuditSink,
  auditEntryOf,
  logAuditSink,
  type FhirAuditEntry,
  type FhirAuditSink,
} from './audit-sink';
export { runPipeline, requestLine, type PipelineDependencies, type PipelineInput } from './pipeline';
export type { FhirRequest, Principal } from './request';
export { decideRequest, type RequestDecision } from './requests/channel';
export { requestDesk, type FhirRequestDesk, type DeskRequestView } from './requests/desk';
export { OWN_ACCESS_TYPES, standingOf, type OwnStanding } from './requests/own-access';
export { auditLogReader, type AuditLogReader } from './audit-log/reader';
export { fhirCors, portalOrigins } from './cors';

export interface FhirApiOptions {
  readonly config: GatewayConfig;
  readonly store: Store;
  readonly engine: PolicyEngine;
  readonly auth: AuthorizationServer;
  readonly log: Logger;
  /** Where step 8 records each request (default: the log, until the audit trail exists). */
  readonly audit?: FhirAuditSink;
  /**
   * The audit trail the writes (grants, withdrawals, the request channel's Tasks) record their
   * changes in, inside their own transactions. Required: no write path without its record.
   */
  readonly changes: ChangeRecorder;
}

export interface FhirApi {
  readonly router: Router;
  readonly upstream: UpstreamClient;
  close(): Promise<void>;
}

export async function createFhirApi(options: FhirApiOptions): Promise<FhirApi> {
  const { config, store, auth } = options;
  const fhirBase = auth.fhirBase;
  const upstream = new UpstreamClient(config.upstream);
  const links = new PatientLinks(store, upstream, config.organisations);
  const stopListening = await links.listenForChanges();
  // Every instance derives the same key from the shared signing keys: a cursor works on any of them.
  const secret = auth.cookieKeys[0];
  if (!secret) throw new Error('the authorization server has no signing key to derive the cursor key from');
  const cursorKey = createHash('sha256').update('inzage:fhir-cursors:').update(secret).digest();
  const router = fhirRouter({
    // The configured and the registered portal apps' origins, kept current by the authorization server.
    origins: auth.portalOrigins,
    issuer: auth.issuer,
    sectionMappings: config.organisations.map((o) => sectionMappingOf(options.engine.presetOf(o.id))),
    pipeline: {
      tokens: auth.tokens,
      engine: options.engine,
      gateway: new GatewayResources(store, options.changes),
      upstream: new UpstreamDossier(upstream, links, fhirBase),
      cursors: new PagingCursors(cursorKey, config.fhir.cursorSeconds),
      audit: options.audit ?? logAuditSink(options.log),
      auditLog: auditLogReader(store),
      // The published version in effect (M-12, A-15), else the configured one.
      termsVersionOf: (id) =>
        currentTermsVersion(
          store,
          id,
          new Date(),
          config.organisations.find((o) => o.id === id)?.termsVersion,
        ),
      settings: { fhirBase, pageSize: config.fhir.pageSize, maxPageSize: config.fhir.maxPageSize },
    },
  });
  return {
    router,
    upstream,
    async close() {
      await stopListening();
      await upstream.close();
    },
  };
}
