/**
 * The login pages of the authorization server (issue 9, items 4, 6, 7 and 9): login, second factor,
 * patient picker, terms and registration with a link code. See README.md.
 */
export { interactionRouter, type InteractionOptions } from './router';
export { messagePage } from './context';
export { isLanguage, type Language } from './texts';
export { LANGUAGE_COOKIE, cookieValue } from './language';
export { termsAnswersOf, type RecordedTermsAnswer, type TermsAnswer } from './terms';
