import type { ConsolePage } from '../page';
import { homePage } from './home';
import { REQUEST_PAGES } from './requests';
import { TERMS_PAGES } from './terms';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [homePage, ...TERMS_PAGES, ...REQUEST_PAGES];
