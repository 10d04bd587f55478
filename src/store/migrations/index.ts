import type { Migration } from '../types';
import { foundation } from './0001-foundation';
import { fhirResources } from './0002-fhir-resources';
import { accessSuspensions } from './0003-access-suspensions';
import { actors } from './0004-actors';
import { authStore } from './0005-auth-store';
import { accounts } from './0006-accounts';
import { loginPages } from './0007-login-pages';
import { accountIdentity } from './0008-account-identity';
import { fhirApi } from './0009-fhir-api';
import { auditTrail } from './0010-audit-trail';
import { administration } from './0011-administration';
import { administratorChoice } from './0012-administrator-choice';
import { requestDesk } from './0013-request-desk';
import { staffLogin } from './0014-staff-login';
import { access } from './0015-access';
import { factVersions } from './0016-fact-versions';

/** Every schema change, oldest first. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [
  foundation,
  fhirResources,
  accessSuspensions,
  actors,
  authStore,
  accounts,
  loginPages,
  accountIdentity,
  fhirApi,
  auditTrail,
  administration,
  administratorChoice,
  requestDesk,
  staffLogin,
  access,
  factVersions,
];
