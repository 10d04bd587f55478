import type { ConsolePage } from '../page';
import { homePage } from './home';
import { MAINTENANCE_PAGES } from './maintenance';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [homePage, ...MAINTENANCE_PAGES];
