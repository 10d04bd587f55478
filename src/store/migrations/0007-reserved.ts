import type { Migration } from '../types';

/**
 * PLACEHOLDER on branch h/federation only: version 7 belongs to another part of issue 9 (merged by
 * the lead). It exists so that 0008 applies on this branch; drop this file and its line in index.ts
 * when merging.
 */
export const reserved7: Migration = {
  version: 7,
  name: 'reserved',
  up: 'SELECT 1;',
};
