import type { Resource } from '@medplum/fhirtypes';

/** Where a page starts in a source: an upstream page (absent: the first) and what of it is consumed. */
export interface Start {
  readonly page?: string;
  readonly skip: number;
}

/** One gateway page of a source: only what judge and the scopes let through. */
export interface Found {
  /** The visible matches, judged and presented, in the source's order. */
  readonly matches: readonly Resource[];
  /** The visible includes of those matches, each judged as if read directly, each once. */
  readonly includes: readonly Resource[];
  /**
   * Where the next page starts. Present only when at least one more visible match is known to
   * follow, or when the page was cut off at the work limit before the source was exhausted.
   */
  readonly next?: Start;
}

/**
 * A search's source as the interaction uses it: the upstream (the dossier) or the gateway's store
 * (its own types). Both judge every resource before it leaves them.
 */
export interface SearchSource {
  /** Up to `want` (> 0) visible matches from `start`, reading on past what judge drops. */
  page(start: Start, want: number): Promise<Found>;
  /** How many matches are visible in the whole narrowed and judged set (refused above a limit). */
  count(): Promise<number>;
}
