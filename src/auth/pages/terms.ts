/**
 * The record of the terms shown at login (M-12, A-14, A-15): on every login, which version of the
 * organisation's terms was shown, whether it was accepted, by whom (account and link), when, and for
 * which app. All SQL on terms_acceptance is here; rows are never changed or deleted.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store';

/** The version used when an organisation names none (configurations not made by the loader). */
export const DEFAULT_TERMS_VERSION = '2026-01';

export interface TermsAnswer {
  readonly accountId: string;
  readonly linkId: string;
  readonly organisationId: string;
  readonly clientId: string;
  readonly termsVersion: string;
  readonly accepted: boolean;
  readonly shownAt: Date;
  readonly answeredAt: Date;
}

export interface RecordedTermsAnswer extends TermsAnswer {
  readonly id: string;
}

export async function recordTermsAnswer(q: Queryable, answer: TermsAnswer): Promise<RecordedTermsAnswer> {
  const id = `terms-${randomUUID()}`;
  await q.query(
    `INSERT INTO terms_acceptance
       (id, account_id, link_id, organisation_id, client_id, terms_version, accepted, shown_at, answered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      answer.accountId,
      answer.linkId,
      answer.organisationId,
      answer.clientId,
      answer.termsVersion,
      answer.accepted,
      answer.shownAt,
      answer.answeredAt,
    ],
  );
  return { id, ...answer };
}

type Row = {
  id: string;
  account_id: string;
  link_id: string;
  organisation_id: string;
  client_id: string;
  terms_version: string;
  accepted: boolean;
  shown_at: Date;
  answered_at: Date;
};

/** An account's answers, oldest first (for the audit trail). */
export async function termsAnswersOf(q: Queryable, accountId: string): Promise<RecordedTermsAnswer[]> {
  const rows = await q.query<Row>(
    `SELECT id, account_id, link_id, organisation_id, client_id, terms_version, accepted, shown_at, answered_at
     FROM terms_acceptance WHERE account_id = $1 ORDER BY answered_at, id`,
    [accountId],
  );
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    linkId: r.link_id,
    organisationId: r.organisation_id,
    clientId: r.client_id,
    termsVersion: r.terms_version,
    accepted: r.accepted,
    shownAt: r.shown_at,
    answeredAt: r.answered_at,
  }));
}
