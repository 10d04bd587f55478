import { createStaffAccount, sealStaffTotp, type StaffRole } from '../admin';
import { totpEnrolmentUri, type AccountSecret } from '../auth';
import type { Store } from '../store';

/**
 * The demo's staff accounts (issue 12): one of each role in the demo's first organisation, with a
 * fixed password and TOTP secret that the banner prints, so that a newcomer can log in to the
 * console at once. Synthetic data on 127.0.0.1 only.
 */
export interface DemoStaffAccount {
  readonly role: StaffRole;
  readonly description: string;
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly totpSecret: string;
  readonly totpUri: string;
}

const PLANS: readonly Omit<DemoStaffAccount, 'totpUri'>[] = [
  {
    role: 'functional-administrator',
    description: 'functional administrator: changes access, staff, terms',
    email: 'beheerder@inzage-demo.example',
    name: 'Fenna Beheer',
    password: 'demo-beheerder-wachtwoord',
    totpSecret: 'KZXW6YTMMVZGK5DTNFXGOIDBMRWWS3TJ',
  },
  {
    role: 'privacy-officer',
    description: 'privacy officer (reviewer): reads and explains, changes nothing',
    email: 'privacy@inzage-demo.example',
    name: 'Pieter Privacy',
    password: 'demo-privacy-wachtwoord',
    totpSecret: 'OBZGS5TBMN4SA33GMZUWGZLSEBZGK5TJ',
  },
  {
    role: 'support-desk',
    description: 'support desk: finds clients, link codes, blocks a lost account',
    email: 'servicedesk@inzage-demo.example',
    name: 'Sanne Servicedesk',
    password: 'demo-servicedesk-wachtwoord',
    totpSecret: 'ON2XA4DPOJ2CAZDFONVSA3LFNVRGK4TT',
  },
];

/** Makes the accounts (once: a demo restarted on its database finds them made). */
export async function registerDemoStaff(
  store: Store,
  organisationId: string,
  secret: AccountSecret,
): Promise<DemoStaffAccount[]> {
  const accounts: DemoStaffAccount[] = [];
  for (const plan of PLANS) {
    const [existing] = await store.query<{ id: string }>('SELECT id FROM staff_account WHERE email = $1', [
      plan.email,
    ]);
    if (!existing)
      await createStaffAccount(store, {
        organisationId,
        email: plan.email,
        name: plan.name,
        role: plan.role,
        password: plan.password,
        totpSecret: sealStaffTotp(plan.totpSecret, secret),
        createdBy: 'demo',
      });
    accounts.push({ ...plan, totpUri: totpEnrolmentUri(plan.totpSecret, plan.email, 'Inzage beheer') });
  }
  return accounts;
}

/** The banner's lines about the console and its staff accounts. */
export function demoStaffLines(
  gatewayUrl: string,
  accounts: readonly DemoStaffAccount[],
  npx: string,
): string[] {
  const [first] = accounts;
  return [
    `  Admin console      ${gatewayUrl}/admin/console   (Dutch; ?lang=en for English)`,
    `                     API ${gatewayUrl}/admin (OpenAPI ${gatewayUrl}/admin/openapi.json); log in with a staff`,
    '                     account below, then type its current TOTP code:',
    ...accounts.flatMap((a) => [
      `    ${a.description}`,
      `      staff e-mail ${a.email}   password ${a.password}   TOTP secret ${a.totpSecret}`,
    ]),
    '                     the TOTP code of the moment (here for the functional administrator):',
    `      ${npx} demo-totp ${first?.totpSecret ?? 'SECRET'}`,
  ];
}
