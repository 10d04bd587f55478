import { createHash } from 'node:crypto';

/**
 * A stable hash of a resource's content, without its version and lastUpdated: keys sorted and
 * undefined values left out, so the same content always hashes the same, whoever wrote it and in
 * whichever key order. The sync compares it to tell a changed record from an unchanged one.
 */
export function contentHash(resource: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(withoutVersion(resource)))
    .digest('base64url');
}

function withoutVersion(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const meta = (value as { meta?: Record<string, unknown> }).meta;
  if (!meta || (meta.versionId === undefined && meta.lastUpdated === undefined)) return value;
  const { versionId: _v, lastUpdated: _l, ...rest } = meta;
  // A meta that held only the version fields goes altogether: the content had none before it was stored.
  if (Object.keys(rest).length === 0) {
    const { meta: _meta, ...content } = value as Record<string, unknown>;
    return content;
  }
  return { ...value, meta: rest };
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A resource without the version fields the store sets; what callers compare and hash. */
export function stripVersion<T extends { meta?: object }>(resource: T): T {
  const meta = resource.meta as { versionId?: unknown; lastUpdated?: unknown } | undefined;
  if (!meta || (meta.versionId === undefined && meta.lastUpdated === undefined)) return resource;
  const { versionId: _v, lastUpdated: _l, ...rest } = meta;
  return { ...resource, meta: rest };
}
