import type { ConsolePage } from '../page';
import { homePage } from './home';
import { MAINTENANCE_PAGES } from './maintenance';
import { ONBOARDING_PAGES } from './onboarding';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  homePage,
  ...ONBOARDING_PAGES,
  ...MAINTENANCE_PAGES,
];
