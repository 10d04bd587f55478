/**
 * How much work one search answer may cost the upstream. Judge may drop matches (an upstream that
 * does not narrow, a period the query could only bound widely), and the gateway then reads on
 * instead of answering a short page (leak vector 2); these bounds keep that reading finite.
 */
export const SEARCH_LIMITS = Object.freeze({
  /** Upstream pages read for one gateway page; past it the page ends with a cursor where it stopped. */
  pagesPerAnswer: 20,
  /** The least page size asked of the upstream: a few round trips when judge drops many. */
  upstreamPageSize: 50,
  /** Visible matches a gateway-computed total may count; above it the search is refused. */
  totalMatches: 1000,
  /** Page size asked of the upstream while counting a total. */
  totalPageSize: 200,
  /** Upstream pages read while counting a total; above it the search is refused. */
  totalPages: 50,
});
