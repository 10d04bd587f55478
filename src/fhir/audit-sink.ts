import type { Logger } from '../http';

/**
 * What step 8 records of every FHIR request, permitted or refused. Issue 11 puts an AuditEvent
 * writer with a hash chain behind this interface; until then the log is the record.
 */
export interface FhirAuditEntry {
  readonly requestId: string;
  readonly at: Date;
  readonly status: number;
  /** The refusal's code, when the request was refused or failed. */
  readonly errorCode?: string;
  readonly clientApp?: string;
  readonly subject?: string;
  readonly user?: string;
  readonly patient?: string;
  readonly interaction?: string;
  /** The normalised request line (type, id, parameters), never the token. */
  readonly query?: string;
  /** The decision's basis: organisation rules and Consents, one line each. */
  readonly basis?: readonly string[];
  /** `Type/id` of every resource the answer showed. */
  readonly shown?: readonly string[];
}

export interface FhirAuditSink {
  /** Resolves when the record is durable; a rejection fails the request (no unaudited answer). */
  record(entry: FhirAuditEntry): Promise<void>;
}

/**
 * The record as a log line, until the audit trail of issue 11 exists. The log holds the parameter
 * names of the query but not their values: a search value can be a BSN or a name, and logs travel
 * further than the audit trail will.
 */
export function logAuditSink(log: Logger): FhirAuditSink {
  return {
    async record(entry) {
      const query = entry.query?.replace(/=[^&]*/g, '=…');
      log.info(
        { audit: { ...entry, at: entry.at.toISOString(), ...(query === undefined ? {} : { query }) } },
        'fhir request',
      );
    },
  };
}
