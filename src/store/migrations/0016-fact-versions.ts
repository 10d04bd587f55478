import type { Migration } from '../types';

/**
 * A change counter per client and per organisation (owned by src/resources, written by
 * announceChange in the transaction of every change a decision depends on). The notification tells
 * other instances to drop their cached facts, but it can arrive after the writer has answered; each
 * instance therefore compares the counters with the ones its cached facts were loaded under before
 * every decision, so that a suspension or a withdrawal counts on the very next request everywhere.
 */
export const factVersions: Migration = {
  version: 16,
  name: 'fact-versions',
  up: `
    CREATE TABLE client_fact_version (
      patient text PRIMARY KEY,
      version bigint NOT NULL
    );
    CREATE TABLE organisation_fact_version (
      organisation_id text PRIMARY KEY,
      version bigint NOT NULL
    );
  `,
};
