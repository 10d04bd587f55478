import type { ConsolePage } from '../page';
import { auditPage } from './audit';
import { clientPage } from './client';
import { decisionsPage } from './decisions';
import { homePage } from './home';

/** Every console page. Each area's file exports its pages as one array; add it here. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [homePage, clientPage, decisionsPage, auditPage];
