import type { Migration } from '../types';

export const authStore: Migration = {
  version: 5,
  name: 'auth-store',
  // The SMART authorization server (oidc-provider) keeps its sessions, grants, codes and tokens here,
  // so that every gateway instance sees the same ones. One table for all of its models: the library
  // asks by (model, id), and by grant, session uid or user code for a few models; those columns are
  // copied out of the payload so that the lookups use an index. A row past `expires_at` is dead: the
  // reads ignore it and pruning removes it. The auth module is the only writer of both tables.
  //
  // The signing keys live beside them so that all instances sign with, and publish, the same keys.
  // At most one key per algorithm is active (not retired); the partial unique index is what makes two
  // instances that start at once agree on one key (INSERT … ON CONFLICT DO NOTHING).
  up: `
    CREATE TABLE auth_model (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX auth_model_grant ON auth_model (model, grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX auth_model_uid ON auth_model (model, uid) WHERE uid IS NOT NULL;
    CREATE INDEX auth_model_user_code ON auth_model (model, user_code) WHERE user_code IS NOT NULL;
    CREATE INDEX auth_model_expiry ON auth_model (expires_at) WHERE expires_at IS NOT NULL;

    CREATE TABLE auth_signing_key (
      kid text PRIMARY KEY,
      alg text NOT NULL,
      private_jwk jsonb NOT NULL,
      public_jwk jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      retired_at timestamptz
    );
    CREATE UNIQUE INDEX auth_signing_key_active ON auth_signing_key (alg) WHERE retired_at IS NULL;
  `,
};
