import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPreset, explainDecision, type ConsentDecision } from '../../src/consent';
import { PRESET_DIRECTORY, loadPreset } from '../../src/consent/preset';
import { evaluateConsent } from '../../src/consent/provisions';
import { mapAuthorisation } from '../../src/ecd';
import { MEERZICHT, amerhofClient, meerzichtClient, ruleEngine, rules } from './rule-fixtures';

/** The texts a decision gives, rule by rule. */
const texts = (decision: ConsentDecision) =>
  decision.basis.flatMap((b) => (b.kind === 'rule' ? [b.text] : []));

/** A copy of a shipped preset with one line changed, loaded from a scratch directory. */
function presetVariant(name: string, from: RegExp, to: string) {
  const dir = mkdtempSync(join(tmpdir(), 'inzage-preset-'));
  const text = readFileSync(join(PRESET_DIRECTORY, `${name}.yaml`), 'utf8');
  if (!from.test(text)) throw new Error(`no ${String(from)} in ${name}.yaml`);
  writeFileSync(join(dir, `${name}.yaml`), text.replace(from, to));
  return { dir, preset: loadPreset(name, dir) };
}

describe('B15: who is administrator never depends on an id', () => {
  const twoParents = (first: string, second: string) =>
    amerhofClient('2019-06-01')
      .relation(first, 'parent', { relationship: 'MTH', parentalAuthority: true, start: '2019-06-01' })
      .relation(second, 'parent', { relationship: 'FTH', parentalAuthority: true, start: '2019-06-01' });

  it.each([
    ['p1', 'p2'],
    ['z9', 'a0'],
  ])(
    'B15: two parents with authority (%s, %s) and no registration: no administrator, and the organisation must appoint one',
    (first, second) => {
      const dossier = twoParents(first, second);
      for (const who of [first, second, 'client']) {
        const decision = dossier.decide(who);
        expect(decision.permit).toBe(false);
        expect(decision.administrator).toBeUndefined();
        expect(rules(decision)).toContain('A-3');
      }
      const explained = explainDecision(dossier.decide(first));
      expect(explained).toMatch(
        /rule A-3\s+the client is 7, under 12: a parent with authority or the guardian is administrator \(A-8\), but 2 parents with authority could each be/,
      );
      expect(explained).toContain('the organisation registered neither');
      expect(explained).toContain('it must appoint one of them; until then nobody has a portal');
    },
  );

  it.each([
    ['p1', 'p2', 'p1'],
    ['p1', 'p2', 'p2'],
    ['z9', 'a0', 'z9'],
  ])(
    'B15: of parents %s and %s, the one registered (%s) is administrator, whatever the ids',
    (a, b, registered) => {
      const dossier = twoParents(a, b).registeredAsAdministrator(registered);
      const other = registered === a ? b : a;
      expect(dossier.decide(registered).role).toBe('administrator');
      expect(dossier.decide(other).administrator).toBe(dossier.ref(registered));
      expect(explainDecision(dossier.decide(registered))).toContain(
        'registered by the organisation as administrator',
      );
    },
  );

  it('B15: two curators and none registered: no administrator until the organisation appoints one', () => {
    const dossier = amerhofClient().relation('k1', 'curator').relation('k2', 'curator');
    const decision = dossier.decide('k1');
    expect(decision.permit).toBe(false);
    expect(decision.administrator).toBeUndefined();
    expect(texts(decision).join('\n')).toContain('but 2 curators could each be');
  });
});

describe('B15: a child of 12–15 without a capacity assessment: the preset decides', () => {
  const thirteen = () => amerhofClient('2013-05-01').relation('p1', 'parent', { parentalAuthority: true });

  it('B15: the shipped presets take the literal reading (unassessedMinor: parent); left out, it is the default', () => {
    expect(loadPreset('amerpoort').unassessedMinor).toBe('parent');
    expect(loadPreset('meerlanden').unassessedMinor).toBe('parent');
    const { preset } = presetVariant('amerpoort', /^unassessedMinor: parent\n/m, '');
    expect(preset.unassessedMinor).toBe('parent');
    expect(() => presetVariant('amerpoort', /unassessedMinor: parent/, 'unassessedMinor: maybe')).toThrow(
      InvalidPreset,
    );
  });

  it('B15: amerpoort (parent): the parent stays administrator, and explain names the missing assessment', () => {
    const dossier = thirteen();
    const parent = dossier.decide('p1');
    expect(parent.role).toBe('administrator');
    expect(dossier.decide('client').permit).toBe(false);
    const explained = explainDecision(parent);
    expect(explained).toMatch(/rule A-8\s+the client is 13 and has no capacity assessment on record/);
    expect(explained).toContain('unassessedMinor: parent');
  });

  it('B15: a preset with unassessedMinor: child: the child is administrator, the parent needs consent, explain names the missing assessment', () => {
    const { preset } = presetVariant('amerpoort', /unassessedMinor: parent/, 'unassessedMinor: child');
    const engine = ruleEngine({ amerpoort: preset });
    const dossier = thirteen();
    const client = dossier.decide('client', undefined, undefined, engine);
    expect(client.role).toBe('administrator');
    expect(texts(client).join('\n')).toContain('no capacity assessment on record');
    expect(texts(client).join('\n')).toContain('unassessedMinor: child');
    const parent = dossier.decide('p1', undefined, undefined, engine);
    expect(parent.permit).toBe(false);
    expect(texts(parent).join('\n')).toContain("needs the client's consent to look");
    dossier.agreement('g1', 'parental-access', 'p1', true);
    expect(dossier.decide('p1', undefined, undefined, engine).role).toBe('parent-with-consent');
  });

  it('B15: with an assessment the option does not matter', () => {
    const { preset } = presetVariant('amerpoort', /unassessedMinor: parent/, 'unassessedMinor: child');
    const engine = ruleEngine({ amerpoort: preset });
    const unable = thirteen().capacity(false);
    expect(unable.decide('p1').role).toBe('administrator');
    expect(unable.decide('p1', undefined, undefined, engine).role).toBe('administrator');
    const able = thirteen().capacity(true);
    expect(able.decide('client').role).toBe('administrator');
    expect(able.decide('client', undefined, undefined, engine).role).toBe('administrator');
  });

  it('B15: meerlanden has no minors rules: a 13-year-old reads their own dossier under either setting', () => {
    const { preset } = presetVariant('meerlanden', /unassessedMinor: parent/, 'unassessedMinor: child');
    const dossier = meerzichtClient('2013-05-01').relation('p1', 'parent', { parentalAuthority: true });
    expect(dossier.decide('client').role).toBe('client');
    expect(dossier.decide('client', undefined, undefined, ruleEngine({ meerlanden: preset })).role).toBe(
      'client',
    );
  });
});

describe('B16: a refusal names the rule that refused, and why', () => {
  it('B16: meerlanden: a mentor is refused because the curator takes precedence, and says so', () => {
    const dossier = meerzichtClient()
      .relation('k1', 'curator', { start: '2024-01-01' })
      .relation('m1', 'mentor', { start: '2021-01-01' });
    expect(dossier.decide('k1').role).toBe('legal-representative');
    const mentor = dossier.decide('m1');
    expect(mentor.permit).toBe(false);
    expect(mentor.basis.at(-1)).toMatchObject({
      rule: 'M-1',
      text: "the client's curator (since 2024-01-01) takes precedence over this mentor (since 2021-01-01): one legal representative counts as the client",
    });
    expect(explainDecision(mentor)).not.toContain('can be authorised');
  });

  it('B16: amerpoort: a mentor is not administrator because the curator is, and says so', () => {
    const dossier = amerhofClient().relation('k1', 'curator').relation('m1', 'mentor');
    const mentor = dossier.decide('m1');
    expect(mentor.permit).toBe(false);
    expect(mentor.administrator).toBe(dossier.ref('k1'));
    expect(mentor.basis.at(-1)).toMatchObject({
      rule: 'A-6',
      text: expect.stringContaining(
        "the client's curator is administrator and takes precedence over this mentor",
      ),
    });
  });

  it('B16: meerlanden: a second contact person is refused by M-2, which lets the client authorise only the first contact person', () => {
    const decision = meerzichtClient().relation('r2', 'second-contact-person').decide('r2');
    expect(decision.basis.at(-1)).toEqual({
      kind: 'rule',
      rule: 'M-2',
      text: 'a second-contact-person cannot be authorised: the client may authorise only a first-contact-person',
    });
  });

  it.each([
    [
      'someone who is no relation',
      () => meerzichtClient(),
      'RelatedPerson/meerzicht-nobody',
      'M-2',
      'is not a relation of this client on record in the ECD',
    ],
    [
      'a relation that has not started',
      () => meerzichtClient().relation('r1', 'first-contact-person', { start: '2027-01-01' }),
      'r1',
      'M-2',
      "this first-contact-person's relation to the client starts only on 2027-01-01",
    ],
    [
      'a bewindvoerder',
      () => amerhofClient().relation('b1', 'financial-administrator'),
      'b1',
      'A-6',
      'a financial-administrator is no legal representative',
    ],
    [
      "a curator's client",
      () => meerzichtClient().relation('k1', 'curator'),
      'client',
      'M-1',
      "the client's curator acts in the client's place",
    ],
    [
      'an unable client without a first contact person',
      () => amerhofClient().capacity(false),
      'client',
      'A-5',
      'has no first contact person on record: no account is opened',
    ],
    [
      'a child under 12 without a parent with authority',
      () => amerhofClient('2018-01-01').relation('p1', 'parent', { parentalAuthority: false }),
      'p1',
      'A-8',
      'there is no parent with authority or guardian on record: nobody is administrator',
    ],
    [
      'the client of a curator, with no grant',
      () => amerhofClient().relation('k1', 'curator'),
      'client',
      'A-3',
      'the client is not administrator and sees the sections the administrator granted',
    ],
  ])('B16: %s: the refusal says why in the rules’ terms', (_case, dossier, who, rule, text) => {
    const decision = dossier().decide(who);
    expect(decision.permit).toBe(false);
    expect(decision.basis).toContainEqual(
      expect.objectContaining({ kind: 'rule', rule, text: expect.stringContaining(text) }),
    );
  });
});

describe('B12: a withdrawal and its grant are compared as moments in Amsterdam', () => {
  // A grant that ends by a withdrawal on the day it began: readable when the withdrawal falls on or
  // after midnight in Amsterdam of the grant's date, "starts after it ends" when before.
  const grant = (requestReceivedAt: string) => {
    const consent = mapAuthorisation(
      {
        id: 'a1',
        clientId: 'c1',
        grantedBy: { kind: 'client' },
        granteeRelationId: 'r1',
        sections: ['reports'],
        grantedOn: '2026-11-10',
        withdrawal: { requestReceivedAt },
      },
      MEERZICHT,
    );
    // Evaluate the period as if the grant were still active: the withdrawal's moment is its end.
    return evaluateConsent(
      { ...consent, status: 'active' },
      {
        actor: consent.provision!.actor![0]!.reference!.reference!,
        at: '2026-11-09T12:00:00+01:00',
        section: 'reports',
      },
    );
  };

  it('B12: 2026-11-09T23:30Z (00:30 on the 10th in Amsterdam) ends a grant of 2026-11-10 validly', () => {
    expect(grant('2026-11-09T23:30:00Z').unparseable).toBeUndefined();
  });

  it('B12: 2026-11-10T00:30+02:00 (23:30 on the 9th in Amsterdam) predates a grant of 2026-11-10', () => {
    expect(grant('2026-11-10T00:30:00+02:00')).toMatchObject({
      unparseable: true,
      note: expect.stringContaining('starts after it ends'),
    });
  });
});
