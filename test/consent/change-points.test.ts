import { addDays, addYears, startOfDutchDay } from '../../src/calendar';
import { accessChanges, birthdayOf, changePoints } from '../../src/consent';
import { loadPreset } from '../../src/consent/preset';
import { PORTAL_SECTIONS } from '../../src/vocabulary';
import { NOW, TODAY, amerhofClient, meerzichtClient, ruleEngine } from './rule-fixtures';

const engine = ruleEngine();
const YEAR = { from: NOW, until: new Date(NOW.getTime() + 365 * 86_400_000) };

describe('the coming changes of access (change points)', () => {
  it('A-8: a parent administrator loses every section on the 12th birthday of a child judged able', () => {
    const birthday = addDays(TODAY, 20);
    const dossier = amerhofClient(addYears(birthday, -12))
      .capacity(true, addDays(TODAY, -10))
      .relation('r1', 'parent', { relationship: 'MTH', parentalAuthority: true })
      .relation('r2', 'parent', { relationship: 'FTH', parentalAuthority: true })
      .registeredAsAdministrator('r1');
    const facts = dossier.facts();
    const changes = accessChanges(
      engine,
      facts,
      [dossier.patient, dossier.ref('r1'), dossier.ref('r2')],
      YEAR,
    );
    const first = changes[0]!;
    expect(first.day).toBe(birthday);
    expect(first.at).toEqual(startOfDutchDay(birthday));
    expect(first.causes).toContainEqual({ kind: 'birthday', age: 12, rule: 'A-8' });
    const mother = first.changes.find((c) => c.principal === dossier.ref('r1'))!;
    expect(mother.before).toMatchObject({ permit: true, role: 'administrator' });
    expect(mother.after).toMatchObject({ permit: false, sections: [] });
    expect(mother.losses).toEqual([...PORTAL_SECTIONS]);
    expect(mother.decision.basis).toContainEqual(expect.objectContaining({ kind: 'rule', rule: 'A-8' }));
    const child = first.changes.find((c) => c.principal === dossier.patient)!;
    expect(child.after.role).toBe('administrator');
    // The 16th birthday changes nothing more for this child: the child administers already.
    expect(changes.some((c) => c.causes.some((x) => x.kind === 'birthday' && x.age === 16))).toBe(false);
  });

  it('A-8: birthdays count as ages do on the Dutch calendar (29 February turns a year older on 1 March)', () => {
    expect(birthdayOf('2012-02-29', 12)).toBe('2024-02-29');
    expect(birthdayOf('2012-02-29', 13)).toBe('2025-03-01');
    expect(birthdayOf('2014-06-30', 12)).toBe('2026-06-30');
  });

  it('A-11: the portal closes the grace days after care ends, for the client and everyone admitted', () => {
    const end = addDays(TODAY, 5);
    const dossier = amerhofClient()
      .relation('r1', 'first-contact-person')
      .grant('g1', 'r1', ['appointments', 'reports'])
      .careEnds(end);
    const changes = accessChanges(engine, dossier.facts(), [dossier.patient, dossier.ref('r1')], YEAR);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.day).toBe(addDays(end, 2));
    expect(changes[0]!.causes).toContainEqual({
      kind: 'portal-closes',
      careEnd: end,
      graceDays: 2,
      rule: 'A-11',
    });
    const relative = changes[0]!.changes.find((c) => c.principal === dossier.ref('r1'))!;
    expect(relative.losses).toEqual(['reports', 'appointments']);
    expect(changes[0]!.changes.map((c) => c.after.permit)).toEqual([false, false]);
  });

  it('M-4: at Meerlanden the portal closes on the care end day itself (no grace days)', () => {
    const end = addDays(TODAY, 3);
    const dossier = meerzichtClient().careEnds(end);
    const [change] = accessChanges(engine, dossier.facts(), [dossier.patient], YEAR);
    expect(change!.day).toBe(end);
    expect(change!.causes[0]).toMatchObject({ kind: 'portal-closes', rule: 'M-4', graceDays: 0 });
  });

  it('A-10: a suspension ending gives the person their sections back at that instant', () => {
    const ends = new Date(NOW.getTime() + 3 * 86_400_000 + 3_600_000);
    const dossier = amerhofClient()
      .relation('r1', 'first-contact-person')
      .grant('g1', 'r1', ['appointments'])
      .suspended('r1', new Date(NOW.getTime() - 86_400_000), ends);
    const changes = accessChanges(engine, dossier.facts(), [dossier.patient, dossier.ref('r1')], YEAR);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.at).toEqual(ends);
    expect(changes[0]!.causes).toEqual([
      { kind: 'suspension-ends', suspensionId: 's1', principal: dossier.ref('r1'), rule: 'A-10' },
    ]);
    expect(changes[0]!.changes).toEqual([
      expect.objectContaining({ principal: dossier.ref('r1'), gains: ['appointments'], losses: [] }),
    ]);
  });

  it('lists only moments inside the window; a preset without the minors rules has no birthdays', () => {
    const dossier = meerzichtClient(addYears(addDays(TODAY, 10), -16));
    const points = changePoints(dossier.facts(), loadPreset('meerlanden'), YEAR);
    expect(points.filter((p) => p.causes.some((c) => c.kind === 'birthday'))).toEqual([]);
    const past = changePoints(
      amerhofClient(addYears(addDays(TODAY, 100), -16)).facts(),
      loadPreset('amerpoort'),
      YEAR,
    );
    expect(past.map((p) => p.causes.map((c) => c.kind))).toEqual([['birthday']]);
    expect(past[0]!.causes[0]).toMatchObject({ age: 16 });
    expect(past[0]!.day).toBe(addDays(TODAY, 100));
  });
});
