import type { ConsolePage } from '../page';
import { ACCESS_PAGES } from './access';
import { APP_PAGES } from './apps';
import { auditPage } from './audit';
import { clientPage } from './client';
import { decisionsPage } from './decisions';
import { homePage } from './home';
import { LOGIN_PAGES } from './login';
import { OIDC_LOGIN_PAGES } from './login-oidc';
import { STAFF_PAGES } from './staff';
import { MAINTENANCE_PAGES } from './maintenance';
import { ONBOARDING_PAGES } from './onboarding';
import { REQUEST_PAGES } from './requests';
import { TERMS_PAGES } from './terms';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  ...LOGIN_PAGES,
  ...OIDC_LOGIN_PAGES,
  homePage,
  clientPage,
  decisionsPage,
  auditPage,
  ...ACCESS_PAGES,
  ...ONBOARDING_PAGES,
  ...TERMS_PAGES,
  ...REQUEST_PAGES,
  ...APP_PAGES,
  ...MAINTENANCE_PAGES,
  ...STAFF_PAGES,
];
