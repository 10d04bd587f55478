import type { Migration } from '../types';

export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  // Gateway-wide switches (maintenance mode and the like) that every instance must see alike.
  up: `
    CREATE TABLE gateway_setting (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
