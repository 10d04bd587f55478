/**
 * The login pages of the authorization server (issue 9, items 4, 6, 7 and 9): login, second factor,
 * patient picker, terms and registration with a link code. See README.md.
 */
export { interactionRouter, type InteractionOptions } from './router';
export { messagePage, requestLanguage } from './message-page';
export { maintenancePage, type MaintenancePageInput } from './maintenance-page';
export { isLanguage, type Language } from './texts';
export { termsAnswersOf, type RecordedTermsAnswer, type TermsAnswer } from './terms';
