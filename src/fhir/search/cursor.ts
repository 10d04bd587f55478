import type { SearchParameter } from '../../consent';
import { CursorRefused } from '../paging';
import type { FhirRequest } from '../request';
import type { InteractionContext } from '../interactions/context';

/**
 * Where a further page starts, as a search cursor carries it (sealed by PagingCursors: signed,
 * expiring, bound to the principal and the client app). The paging link the portal app gets is
 * `<fhirBase>/<Type>?_cursor=<token>` (or the compartment path): the search's own parameters travel
 * inside the signed cursor, so they cannot be changed, and the cursor's binding is the request's
 * path, so it opens only on the type and compartment it was made for. Nothing of the upstream is
 * sent to the caller: the upstream's next link is kept inside the cursor, as a path on the upstream
 * base, and the gateway reads it itself.
 */
export interface SearchPosition {
  /** The search's parameters as stated (before narrowing, result parameters included). */
  readonly parameters: readonly SearchParameter[];
  /** The upstream page to read (a path on its base); absent: the first page of the narrowed search. */
  readonly page?: string;
  /** Entries of that page (or, for the gateway's own types, matches of the list) already consumed. */
  readonly skip: number;
}

/** What is sealed: short keys, as the token travels in a URL. */
interface Sealed {
  readonly q: readonly (readonly [string, string | null, string])[];
  readonly u?: string;
  readonly s: number;
}

/** The binding of a cursor: the request's path (type and compartment), with no parameters. */
function bindingOf(request: FhirRequest): { query: string } {
  const compartment = request.compartment ? `Patient/${request.compartment.id}/` : '';
  return { query: `search ${compartment}${request.resourceType ?? ''}` };
}

export function sealPosition(context: InteractionContext, position: SearchPosition): string {
  const sealed: Sealed = {
    q: position.parameters.map((p) => [p.name, p.modifier ?? null, p.value] as const),
    ...(position.page === undefined ? {} : { u: position.page }),
    s: position.skip,
  };
  return context.cursors.seal(context.principal, bindingOf(context.request), sealed);
}

/**
 * The position of a request's cursor. Refused (410) when it was not made by this gateway for this
 * principal, client app, type and compartment, when it expired, or when the request states
 * parameters of its own beside it (a cursor continues one search; it does not start another).
 */
export function openPosition(context: InteractionContext, token: string): SearchPosition {
  if (context.request.parameters.length > 0) throw new CursorRefused('a cursor with parameters of its own');
  const sealed = context.cursors.open<Sealed>(token, context.principal, bindingOf(context.request));
  if (
    typeof sealed !== 'object' ||
    sealed === null ||
    !Array.isArray(sealed.q) ||
    !Number.isInteger(sealed.s) ||
    sealed.s < 0 ||
    (sealed.u !== undefined && (typeof sealed.u !== 'string' || !sealed.u.startsWith('/')))
  )
    throw new CursorRefused('a cursor of another shape');
  return {
    parameters: sealed.q.map(([name, modifier, value]) => ({
      name,
      ...(modifier === null ? {} : { modifier }),
      value,
    })),
    ...(sealed.u === undefined ? {} : { page: sealed.u }),
    skip: sealed.s,
  };
}
