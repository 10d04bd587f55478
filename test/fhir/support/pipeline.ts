/**
 * The FHIR pipeline driven directly (`runPipeline`), with the real parts of a running gateway behind
 * it (its store, tokens, a policy engine on the same store, an upstream client), so that a test can
 * put one part of its own in: a recording audit sink, an engine whose filter throws. Requests come in
 * as the pipeline's input lines, with tokens the real authorization server issued.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AccessTokenVerifier } from '../../../src/auth';
import { resolveConfig } from '../../../src/config';
import { createPolicyEngine, type PolicyEngine } from '../../../src/consent';
import { administratorRegistrationsOf } from '../../../src/ecd';
import {
  bodyParsers,
  createLogger,
  errorHandler,
  notFoundHandler,
  requestContextMiddleware,
  securityHeaders,
} from '../../../src/http';
import {
  auditLogReader,
  type FhirAuditEntry,
  type FhirAuditSink,
  type PipelineDependencies,
  type PipelineInput,
} from '../../../src/fhir';
import { PagingCursors } from '../../../src/fhir/paging';
import { PatientLinks } from '../../../src/fhir/patient-link';
import { fhirRouter } from '../../../src/fhir/routes';
import { GatewayResources } from '../../../src/fhir/sources/gateway';
import { UpstreamDossier } from '../../../src/fhir/sources/upstream';
import { UpstreamClient } from '../../../src/fhir/upstream-client';
import { ORGANISATIONS } from '../../smart/support/gateway';
import type { FhirApiUnderTest } from './api';

/** An audit sink that keeps every entry, for the test to read. */
export class RecordingAuditSink implements FhirAuditSink {
  readonly entries: FhirAuditEntry[] = [];
  async record(entry: FhirAuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}

export interface DirectPipeline {
  readonly deps: PipelineDependencies;
  readonly engine: PolicyEngine;
  readonly audit: RecordingAuditSink;
  /** The pipeline's input for a GET of `path` (under the FHIR base) with a bearer token. */
  input(token: string | undefined, path: string, method?: string): PipelineInput;
  /** The pipeline behind the FHIR routes and the app's error handler, on a port of its own: `<url>/fhir`. */
  serve(): Promise<string>;
  close(): Promise<void>;
}

let requests = 0;

/** Pipeline dependencies on the running gateway's store and tokens; `change` swaps parts. */
export function directPipeline(
  api: FhirApiUnderTest,
  upstreamUrl: string,
  change: (deps: PipelineDependencies) => Partial<PipelineDependencies> = () => ({}),
): DirectPipeline {
  const store = api.gateway.running.store;
  const config = resolveConfig(
    { organisations: ORGANISATIONS, upstream: { url: upstreamUrl }, log: { level: 'silent' } },
    'test',
    {},
  );
  const engine = createPolicyEngine(config.organisations, store, {
    administratorRegistrations: administratorRegistrationsOf,
  });
  const client = new UpstreamClient(config.upstream);
  const audit = new RecordingAuditSink();
  const base: PipelineDependencies = {
    tokens: new AccessTokenVerifier(store, api.gateway.discovery.issuer, api.fhirBase),
    engine,
    gateway: new GatewayResources(store, api.gateway.running.audit),
    upstream: new UpstreamDossier(
      client,
      new PatientLinks(store, client, config.organisations),
      api.fhirBase,
    ),
    cursors: new PagingCursors(createHash('sha256').update('test cursors').digest(), 900),
    audit,
    auditLog: auditLogReader(store),
    termsVersionOf: (id) => config.organisations.find((o) => o.id === id)?.termsVersion,
    settings: { fhirBase: api.fhirBase, pageSize: 20, maxPageSize: 100 },
  };
  const deps = { ...base, ...change(base) };
  const servers: ReturnType<ReturnType<typeof express>['listen']>[] = [];
  return {
    deps,
    engine,
    audit,
    input(token, path, method = 'GET') {
      const q = path.indexOf('?');
      requests += 1;
      return {
        requestId: `direct-${requests}`,
        authorization: token === undefined ? undefined : `Bearer ${token}`,
        line: { method, path: q < 0 ? path : path.slice(0, q), query: q < 0 ? '' : path.slice(q + 1) },
      };
    },
    async serve() {
      const app = express();
      app.use(requestContextMiddleware(createLogger('silent')));
      app.use(securityHeaders());
      app.use(bodyParsers(1_000_000));
      app.use(
        fhirRouter({
          pipeline: deps,
          origins: new Set(),
          issuer: api.gateway.discovery.issuer,
          sectionMappings: [],
        }),
      );
      app.use(notFoundHandler());
      app.use(errorHandler());
      const server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    },
    async close() {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await client.close();
    },
  };
}
