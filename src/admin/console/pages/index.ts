import type { ConsolePage } from '../page';
import { homePage } from './home';
import { LOGIN_PAGES } from './login';
import { OIDC_LOGIN_PAGES } from './login-oidc';
import { STAFF_PAGES } from './staff';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  homePage,
  ...LOGIN_PAGES,
  ...OIDC_LOGIN_PAGES,
  ...STAFF_PAGES,
];
