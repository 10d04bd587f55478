import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { startDemo, type RunningDemo } from '../../src/commands';
import { ConsoleBrowser, csrfOf } from '../admin/support/browser';

const ROOT = join(__dirname, '../..');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one printed command line through a POSIX shell, from the repository, as a user would. */
function shell(line: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const base = { ...process.env };
  for (const name of Object.keys(base))
    if (name === 'DATABASE_URL' || name.startsWith('INZAGE_') || name === 'PORT') delete base[name];
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The command lines the banner prints that start with `start`. */
function printed(banner: string, start: string): string[] {
  return banner
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(start));
}

async function imports(demo: RunningDemo): Promise<number | undefined> {
  const [row] = await demo.gateway.store.query<{ n: number }>('SELECT count(*)::int AS n FROM ecd_import');
  return row?.n;
}

describe('inzage demo: what it prints runs as printed', () => {
  it('B5, B9: an ECD backend client per organisation with a dry-run `inzage ecd push`, real ids, and explain/import commands for after the demo', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'inzage-demo-test-')), 'demo');
    const demo = await startDemo({ port: 0, sandboxPort: 0, clients: 30, seed: 3, dataDir, env: {} });
    let closed = false;
    try {
      const { banner } = demo;
      expect(banner).toMatch(/meerzicht\s+client meerzicht-ecd, key \S+meerzicht-ecd\.private\.jwk\.json/);
      expect(banner).toMatch(/amerhof\s+client amerhof-ecd, key \S+amerhof-ecd\.private\.jwk\.json/);
      expect(banner).not.toContain('INZAGE_ECD_KEY');
      expect(banner).toMatch(/meerzicht\s+client Patient\/meerzicht-\S+; RelatedPerson\/meerzicht-\S+/);
      expect(banner).toMatch(/amerhof\s+client Patient\/amerhof-\S+; RelatedPerson\/amerhof-\S+/);

      const pushes = printed(banner, 'npx inzage ecd push ');
      expect(pushes).toHaveLength(2);
      const before = await imports(demo);
      for (const push of pushes) {
        expect(push).toContain(`--gateway ${demo.gateway.url}`);
        // The key files are in the demo files directory, never in the repository.
        expect(push).toContain(demo.filesDir);
        const ran = await shell(push);
        expect(ran).toMatchObject({ code: 0, stderr: '' });
        expect(ran.stdout).toContain('nothing was changed');
        // The same export the demo imported: a dry run finds nothing to change.
        expect(ran.stdout).toMatch(/Patient\s+0\s+0\s+0\s+[1-9]/);
      }
      expect(await imports(demo)).toBe(before);

      const commands = printed(banner, 'npx inzage').filter(
        (c) => !c.includes(' ecd push ') && !c.includes(' demo-totp '),
      );
      expect(commands.filter((c) => c.includes(' explain '))).toHaveLength(2);
      expect(commands.filter((c) => c.includes(' ecd import '))).toHaveLength(2);
      // The embedded database opens in one process at a time: the commands are for after the demo.
      expect(banner).toContain('After stopping');
      await demo.close();
      closed = true;
      for (const command of commands) {
        const ran = await shell(command);
        expect([command, ran.code, ran.stderr]).toEqual([command, 0, '']);
        if (command.includes(' explain ')) expect(ran.stdout).toMatch(/^PERMIT /m);
        else expect(ran.stdout).toContain('nothing was changed');
      }
    } finally {
      if (!closed) await demo.close();
    }
    // Four commands that each start Node and open the database: minutes on a busy machine.
  }, 400_000);

  it('B5: in memory, the ECD keys are in a temporary files directory that goes when the demo does', async () => {
    const demo = await startDemo({
      port: 0,
      sandboxPort: 0,
      clients: 30,
      seed: 3,
      dataDir: undefined,
      env: {},
    });
    try {
      expect(demo.banner).toContain('need the database on disk');
      const [meerzicht] = printed(demo.banner, 'npx inzage ecd push ').filter((c) =>
        c.includes('--client meerzicht-ecd'),
      );
      expect(meerzicht).toContain(demo.filesDir);
      expect(existsSync(join(demo.filesDir, 'ecd-keys', 'meerzicht-ecd.private.jwk.json'))).toBe(true);
      // The other organisation's client cannot push this organisation's export.
      const other = await shell(meerzicht!.replace('--client meerzicht-ecd', '--client amerhof-ecd'));
      expect(other.code).toBe(1);
      expect(other.stderr).toContain("the gateway refused client 'amerhof-ecd'");
    } finally {
      await demo.close();
    }
    expect(existsSync(demo.filesDir)).toBe(false);
  });

  it('DEMO-1: it prints both portal apps, seven accounts with password and TOTP secret, a fresh link code and the outbox, never the link-code secret; demo-totp runs as printed; three staff accounts log in to the console as printed', async () => {
    const secret = 'the link-code secret of this shell, 0123456789';
    const dataDir = join(mkdtempSync(join(tmpdir(), 'inzage-demo-test-')), 'demo');
    const start = () =>
      startDemo({
        port: 0,
        sandboxPort: 0,
        appPort: 0,
        clients: 30,
        seed: 3,
        dataDir,
        env: { INZAGE_LINK_CODE_SECRET: secret, LOG_LEVEL: 'warn' },
      });
    let demo = await start();
    let freshCode: string | undefined;
    try {
      const { banner } = demo;
      expect(banner).not.toContain(secret);
      const logins = [
        ...banner.matchAll(/^\s+e-mail (\S+)\s+password (\S+)\s+TOTP secret ([A-Z2-7]{32})$/gm),
      ];
      expect(logins.map((m) => m[1])).toEqual([
        'client@inzage-demo.example',
        'ouder@inzage-demo.example',
        'curator@inzage-demo.example',
        'contactpersoon@inzage-demo.example',
        'familielid@inzage-demo.example',
        'vader@inzage-demo.example',
        'moeder@inzage-demo.example',
      ]);
      freshCode = /Fresh link code\s+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) \(valid through/.exec(banner)?.[1];
      expect(freshCode).toBeDefined();
      expect(banner).toContain(`Outbox             ${join(demo.filesDir, 'outbox.jsonl')}`);

      // The apps: on an origin of their own, registered with the gateway, and let through its CORS.
      const appUrl = /Portal apps\s+(http:\/\/127\.0\.0\.1:\d+\/)\s/.exec(banner)![1]!;
      const appOrigin = new URL(appUrl).origin;
      expect(appOrigin).not.toBe(demo.gateway.url);
      expect(banner).toContain(`${appUrl}server/`);
      const page = await fetch(appUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Inloggen met Inzage');
      expect(await (await fetch(`${appUrl}settings.json`)).json()).toMatchObject({
        fhirBase: `${demo.gateway.url}/fhir`,
        clientId: 'demo-portaal',
      });
      const fhirClient = await fetch(`${appUrl}fhir-client.js`);
      expect([fhirClient.status, fhirClient.headers.get('content-type')]).toEqual([
        200,
        expect.stringContaining('javascript'),
      ]);
      expect(await (await fetch(`${appUrl}server/`)).text()).toContain('/server/login');
      // A token request from the browser app's origin is let through CORS (with a bad code: refused,
      // but readable by the app); from another origin it is not.
      const tokenRequest = (origin: string) =>
        fetch(`${demo.gateway.url}/auth/token`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'not-a-code',
            client_id: 'demo-portaal',
            redirect_uri: `${appOrigin}/callback.html`,
            code_verifier: 'x'.repeat(43),
          }).toString(),
        });
      expect((await tokenRequest(appOrigin)).headers.get('access-control-allow-origin')).toBe(appOrigin);
      expect(
        (await tokenRequest('http://127.0.0.1:9')).headers.get('access-control-allow-origin'),
      ).toBeNull();

      // The code of the moment, as printed (one step either side: the step may turn meanwhile).
      const [totp] = printed(banner, 'npx inzage demo-totp ');
      const ran = await shell(totp!);
      expect([ran.code, ran.stderr]).toEqual([0, '']);
      const printedSecret = totp!.split(' ').pop()!;
      const codes = [-30_000, 0, 30_000].map((delta) =>
        new TOTP({ secret: Secret.fromBase32(printedSecret) }).generate({ timestamp: Date.now() + delta }),
      );
      expect(codes).toContain(ran.stdout.trim());
      expect((await shell('npx inzage demo-totp not-base32!')).code).toBe(1);

      // The console's staff accounts, one of each role, log in as printed (issue 12).
      const staff = [
        ...banner.matchAll(/^\s+staff e-mail (\S+)\s+password (\S+)\s+TOTP secret ([A-Z2-7]{32})$/gm),
      ];
      expect(staff.map((m) => m[1])).toEqual([
        'beheerder@inzage-demo.example',
        'privacy@inzage-demo.example',
        'servicedesk@inzage-demo.example',
      ]);
      expect(banner).toContain(`Admin console      ${demo.gateway.url}/admin/console`);
      const browser = new ConsoleBrowser(demo.gateway.url);
      const form = await browser.get('/admin/console/login');
      const [, email, password, staffSecret] = staff[0]!;
      const passwordStep = await browser.post('/admin/console/login', {
        _csrf: csrfOf(form.text),
        email: email!,
        password: password!,
      });
      expect(passwordStep.res.status).toBe(303);
      const codePage = await browser.get('/admin/console/login/code');
      const codeStep = await browser.post('/admin/console/login/code', {
        _csrf: csrfOf(codePage.text),
        code: new TOTP({ secret: Secret.fromBase32(staffSecret!) }).generate(),
      });
      expect(codeStep.res.status).toBe(303);
      const me = await fetch(`${demo.gateway.url}/admin/me`, { headers: { cookie: browser.cookieHeader } });
      expect(await me.json()).toMatchObject({ role: 'functional-administrator', email });
    } finally {
      await demo.close();
    }
    // Started again on the database it kept: the same accounts, a new fresh code.
    demo = await start();
    try {
      expect(demo.banner.match(/^\s+e-mail \S+/gm)).toHaveLength(7);
      expect(demo.banner.match(/^\s+staff e-mail \S+/gm)).toHaveLength(3);
      expect(demo.banner).not.toContain(freshCode!);
    } finally {
      await demo.close();
    }
  }, 300_000);
});
