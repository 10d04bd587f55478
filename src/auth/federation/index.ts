/**
 * Federated login (issue 9, item 5): people log in through an external OpenID Connect provider and
 * link that identity to their account once, with a link code. See README.md.
 */
export { federationRouter, type FederationRouterOptions } from './routes';
export { identityProviderChoices, type IdentityProviderChoice } from './choices';
export { continueLoginAsAccount, type ContinueLoginOptions } from './continue-login';
export { findLinkedIdentity, linkIdentity, type ExternalIdentity, type LinkedIdentity } from './identities';
export { linkWithCode, type LinkWithCodeInput } from './link';
