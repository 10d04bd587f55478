import type { Migration } from '../types';

/** The audit trail (issue 11). Owned by src/audit: no other module reads or writes these tables. */
export const auditTrail: Migration = {
  version: 10,
  name: 'audit-trail',
  // One row per event. `entry` is the event as the audit module took it (who, on whose behalf, which
  // client, what, the outcome, the decision basis); the AuditEvent a reader sees is rendered from it,
  // so that the rendering can improve without breaking the chain. The other columns are copies of
  // entry fields, for the queries (a client's log, a token, an account, an app, a window), and are
  // covered by the hash as well. A client's log is read in chain order (patient_id, seq); the rest
  // are for a reviewer's questions (a window, an account, a token, an app, a request).
  //
  // The chain: `hash` = H(prev_hash, the record), `seq` counts without gaps. audit_chain_head is the
  // last link; a writer locks it (SELECT … FOR UPDATE) for the length of its batch, so instances
  // sharing a database write one chain in one order. audit_chain_start is the link before the first
  // record kept: all zeros until retention deletes the oldest records, then the last deleted one.
  up: `
    CREATE TABLE audit_event (
      seq bigint PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      recorded timestamptz NOT NULL,
      kind text NOT NULL,
      patient_id text,
      account_id text,
      client_app text,
      token_id text,
      request_id text,
      entry jsonb NOT NULL,
      alg text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL
    );
    CREATE INDEX audit_event_patient ON audit_event (patient_id, seq) WHERE patient_id IS NOT NULL;
    CREATE INDEX audit_event_recorded ON audit_event (recorded);
    CREATE INDEX audit_event_account ON audit_event (account_id) WHERE account_id IS NOT NULL;
    CREATE INDEX audit_event_token ON audit_event (token_id) WHERE token_id IS NOT NULL;
    CREATE INDEX audit_event_client_app ON audit_event (client_app) WHERE client_app IS NOT NULL;
    CREATE INDEX audit_event_request ON audit_event (request_id) WHERE request_id IS NOT NULL;

    CREATE TABLE audit_chain_head (
      id smallint PRIMARY KEY CHECK (id = 1),
      seq bigint NOT NULL,
      hash text NOT NULL
    );
    INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

    CREATE TABLE audit_chain_start (
      id smallint PRIMARY KEY CHECK (id = 1),
      seq bigint NOT NULL,
      hash text NOT NULL
    );
    INSERT INTO audit_chain_start (id, seq, hash) VALUES (1, 0, repeat('0', 64));
  `,
};
