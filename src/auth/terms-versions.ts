/**
 * The terms versions an organisation published (M-12, A-15), on terms_version (migration 11, owned
 * here). The login pages ask for the newest version in effect; without one, the configured
 * `organisations[].termsVersion` holds. Every instance reads the same rows, so a version published
 * (or coming into effect) counts on the very next login and refresh on all of them. Rows are never
 * changed or deleted: a version once published stays, so the audit trail can name it.
 */
import { Conflict, InvalidInput } from '../errors';
import type { Queryable, Store } from '../store';
import { DEFAULT_TERMS_VERSION } from './pages/terms';

export interface TermsVersion {
  readonly organisationId: string;
  readonly version: string;
  readonly effectiveFrom: Date;
  readonly summary: string;
  readonly publishedAt: Date;
  readonly publishedBy: string;
}

export interface NewTermsVersion {
  readonly organisationId: string;
  readonly version: string;
  /** Now or later; a moment more than a minute past is refused (a typing error, not a backdating). */
  readonly effectiveFrom: Date;
  readonly summary: string;
  /** 'staff:<id>' or a system client. */
  readonly publishedBy: string;
  /** The moment of publication (default: now). */
  readonly at?: Date;
}

/** How far in the past an effectiveFrom may be (the clock of the form's sender, a slow request). */
const PAST_TOLERANCE_MS = 60_000;

type Row = {
  organisation_id: string;
  version: string;
  effective_from: Date;
  summary: string;
  published_at: Date;
  published_by: string;
};

const COLUMNS = 'organisation_id, version, effective_from, summary, published_at, published_by';

function versionOf(r: Row): TermsVersion {
  return {
    organisationId: r.organisation_id,
    version: r.version,
    effectiveFrom: new Date(r.effective_from),
    summary: r.summary,
    publishedAt: new Date(r.published_at),
    publishedBy: r.published_by,
  };
}

/**
 * Publishes a version. Refused (Conflict): a version the organisation published before (a version
 * is never published twice, its text may differ) and a version taking effect before one already
 * published (the versions follow each other in time, so a later publication is always the newer
 * terms). Refused (InvalidInput): an effectiveFrom in the past.
 */
export async function publishTermsVersion(store: Store, input: NewTermsVersion): Promise<TermsVersion> {
  const at = input.at ?? new Date();
  const version = input.version.trim();
  const summary = input.summary.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(version))
    throw new InvalidInput('a terms version is 1–64 letters, digits, dots, dashes or underscores', {
      code: 'ERR_TERMS_VERSION',
    });
  if (summary.length === 0 || summary.length > 2000)
    throw new InvalidInput('the summary of the changes is 1–2000 characters', { code: 'ERR_TERMS_SUMMARY' });
  if (Number.isNaN(input.effectiveFrom.getTime()))
    throw new InvalidInput('effectiveFrom is not a moment', { code: 'ERR_TERMS_EFFECTIVE' });
  if (input.effectiveFrom.getTime() < at.getTime() - PAST_TOLERANCE_MS)
    throw new InvalidInput('a terms version takes effect now or later, not in the past', {
      code: 'ERR_TERMS_EFFECTIVE',
    });
  return store.transaction(async (tx) => {
    // One publication at a time per organisation: the order check below must see the others.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`terms_version:${input.organisationId}`]);
    const existing = await termsVersions(tx, input.organisationId);
    if (existing.some((v) => v.version === version))
      throw new Conflict(`terms version ${version} was published already`, { code: 'ERR_TERMS_PUBLISHED' });
    const latest = existing[0];
    if (latest !== undefined && latest.effectiveFrom.getTime() >= input.effectiveFrom.getTime())
      throw new Conflict(
        `version ${latest.version} takes effect at ${latest.effectiveFrom.toISOString()}: a new version takes effect after it`,
        { code: 'ERR_TERMS_ORDER' },
      );
    const [row] = await tx.query<Row>(
      `INSERT INTO terms_version (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [input.organisationId, version, input.effectiveFrom, summary, at, input.publishedBy],
    );
    return versionOf(row!);
  });
}

/** The organisation's published versions, the newest (latest effectiveFrom) first. */
export async function termsVersions(q: Queryable, organisationId: string): Promise<TermsVersion[]> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM terms_version WHERE organisation_id = $1
     ORDER BY effective_from DESC, published_at DESC`,
    [organisationId],
  );
  return rows.map(versionOf);
}

/**
 * The version in effect at `at`: the newest published one whose effectiveFrom has come, else the
 * configured one (else the default).
 */
export async function currentTermsVersion(
  q: Queryable,
  organisationId: string,
  at: Date,
  configured: string | undefined,
): Promise<string> {
  const [row] = await q.query<{ version: string }>(
    `SELECT version FROM terms_version WHERE organisation_id = $1 AND effective_from <= $2
     ORDER BY effective_from DESC, published_at DESC LIMIT 1`,
    [organisationId, at],
  );
  return row?.version ?? configured ?? DEFAULT_TERMS_VERSION;
}

/**
 * Whether the link's last answer to the terms was an acceptance of the version in effect now
 * (M-12: no tokens, not by refresh either, for a user who has not accepted the current terms). A
 * version published since the link's last login stops its refresh until the next login accepts.
 */
export async function acceptedCurrentTerms(
  q: Queryable,
  link: { readonly id: string; readonly organisationId: string },
  at: Date,
  configured: string | undefined,
): Promise<boolean> {
  const current = await currentTermsVersion(q, link.organisationId, at, configured);
  const [last] = await q.query<{ terms_version: string; accepted: boolean }>(
    `SELECT terms_version, accepted FROM terms_acceptance WHERE link_id = $1
     ORDER BY answered_at DESC, id DESC LIMIT 1`,
    [link.id],
  );
  return last !== undefined && last.accepted && last.terms_version === current;
}

/** Where a current account link stands towards the terms in effect. */
export interface TermsStanding {
  readonly linkId: string;
  readonly accountId: string;
  readonly patient: string;
  readonly person: string;
  readonly linkedAt: Date;
  /** accepted / declined: the last answer to the current version; not-answered: none to it yet. */
  readonly standing: 'accepted' | 'declined' | 'not-answered';
  /** The link's last answer, to any version. */
  readonly lastAnswer?: { readonly version: string; readonly accepted: boolean; readonly answeredAt: Date };
  /** The newest version the link accepted. */
  readonly lastAccepted?: { readonly version: string; readonly answeredAt: Date };
}

/**
 * Per current account link of the organisation (optionally one client's): its last answer, its
 * newest accepted version, and where it stands towards `current`. One query; ordered by client.
 */
export async function termsStandings(
  q: Queryable,
  organisationId: string,
  current: string,
  options: { patient?: string; limit?: number } = {},
): Promise<TermsStanding[]> {
  const rows = await q.query<{
    id: string;
    account_id: string;
    patient_reference: string;
    person_reference: string;
    linked_at: Date;
    last_version: string | null;
    last_accepted: boolean | null;
    last_at: Date | null;
    current_accepted: boolean | null;
    accepted_version: string | null;
    accepted_at: Date | null;
  }>(
    `SELECT l.id, l.account_id, l.patient_reference, l.person_reference, l.linked_at,
            last.terms_version AS last_version, last.accepted AS last_accepted, last.answered_at AS last_at,
            cur.accepted AS current_accepted,
            acc.terms_version AS accepted_version, acc.answered_at AS accepted_at
     FROM account_link l
     LEFT JOIN LATERAL (SELECT terms_version, accepted, answered_at FROM terms_acceptance t
                        WHERE t.link_id = l.id ORDER BY answered_at DESC, id DESC LIMIT 1) last ON true
     LEFT JOIN LATERAL (SELECT accepted FROM terms_acceptance t
                        WHERE t.link_id = l.id AND t.terms_version = $2
                        ORDER BY answered_at DESC, id DESC LIMIT 1) cur ON true
     LEFT JOIN LATERAL (SELECT terms_version, answered_at FROM terms_acceptance t
                        WHERE t.link_id = l.id AND t.accepted ORDER BY answered_at DESC, id DESC LIMIT 1) acc ON true
     WHERE l.organisation_id = $1 AND l.ended_at IS NULL AND ($3::text IS NULL OR l.patient_reference = $3)
     ORDER BY l.patient_reference, l.linked_at, l.id
     LIMIT $4`,
    [organisationId, current, options.patient ?? null, options.limit ?? 500],
  );
  return rows.map((r) => ({
    linkId: r.id,
    accountId: r.account_id,
    patient: r.patient_reference,
    person: r.person_reference,
    linkedAt: new Date(r.linked_at),
    standing: r.current_accepted === null ? 'not-answered' : r.current_accepted ? 'accepted' : 'declined',
    ...(r.last_version !== null
      ? {
          lastAnswer: {
            version: r.last_version,
            accepted: r.last_accepted === true,
            answeredAt: new Date(r.last_at!),
          },
        }
      : {}),
    ...(r.accepted_version !== null
      ? { lastAccepted: { version: r.accepted_version, answeredAt: new Date(r.accepted_at!) } }
      : {}),
  }));
}
