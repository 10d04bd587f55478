import type { FhirSearch, SearchParameter } from '../consent';
import type { PatientReference, PersonReference } from '../vocabulary';
import type { ResourceScope } from '../auth';

/**
 * The request after normalisation (step 2): GET, HEAD and POST `_search`, the compartment form
 * (`Patient/x/Observation`), percent-encoding and `_format` all end in this one shape, and every
 * later step sees only it. Plain data, no express types.
 */

/** What the request asks the FHIR API to do. */
export type FhirApiInteraction =
  | 'capabilities'
  | 'read'
  | 'vread'
  | 'search'
  | 'history'
  | 'everything'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'operation'
  | 'batch';

export interface FhirRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly interaction: FhirApiInteraction;
  /** HEAD: answer as GET, without the body. */
  readonly headOnly: boolean;
  readonly resourceType?: string;
  readonly id?: string;
  readonly versionId?: string;
  /** `Patient/x/Observation`: the compartment the search was stated in (its id as the caller gave it). */
  readonly compartment?: { readonly resourceType: 'Patient'; readonly id: string };
  /** `$everything` and other operations, with the `$`. */
  readonly operation?: string;
  /**
   * The search and result parameters, in the order given, percent-decoded, URL and form body merged;
   * `_format` and `_pretty` are taken out (they change nothing the gateway answers).
   */
  readonly parameters: readonly SearchParameter[];
  /** The parsed JSON body of a create or update (a Task of the request channel). */
  readonly body?: unknown;
  /** A cursor the gateway signed (`_cursor`), when the request is for a further page. */
  readonly cursor?: string;
}

/** Who asks (step 1): bound to the token, never looked up by user elsewhere. */
export interface Principal {
  /** The portal app (OAuth client id). */
  readonly clientApp: string;
  /** The token's subject: the account link it was issued for. */
  readonly subject: string;
  /** `fhirUser`: the client themself or a relative or representative. */
  readonly user: PersonReference;
  /** The patient context of the token: whose dossier. */
  readonly patient: PatientReference;
  /** The resource scopes that parsed; anything else grants nothing and is left out. */
  readonly scopes: readonly ResourceScope[];
  readonly expiresAt: Date;
  /** The access token's `jti`, for the audit trail (A-13: which records a suspect token touched). */
  readonly tokenId: string;
}

/** The search of a request: its type and parameters, as `narrow` takes it. */
export function searchOfRequest(request: FhirRequest): FhirSearch {
  return { resourceType: request.resourceType ?? '', parameters: request.parameters };
}
