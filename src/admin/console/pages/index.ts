import type { ConsolePage } from '../page';
import { ACCESS_PAGES } from './access';
import { homePage } from './home';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [homePage, ...ACCESS_PAGES];
