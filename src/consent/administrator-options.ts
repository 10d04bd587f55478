import type { ClientFacts, RelationFacts } from './facts';
import { administratorOf, type RuleBasis } from './organisation';
import type { PolicyPreset } from './preset';
import type { RelatedPersonReference } from '../vocabulary';

/** One person the organisation may make the client's portal administrator, and how. */
export interface AdministratorOption {
  readonly reference: RelatedPersonReference;
  readonly role: RelationFacts['role'];
  /**
   * `registration`: the rules leave the organisation a choice between equals (two parents with
   * authority, two curators; A-3): registering this one makes them administrator.
   * `agreement`: the client is judged unable and this is the first contact person; they become
   * administrator only with the client's recorded agreement.
   */
  readonly how: 'registration' | 'agreement';
  /** The rule that leaves the choice (A-3 with ). */
  readonly rule: string;
}

export interface AdministratorSituation {
  /** The administrator today, if any. */
  readonly administrator?: string;
  readonly basis: RuleBasis;
  /** The administrator the rules give without any registration of the organisation. */
  readonly byRulesAlone?: string;
  readonly byRulesAloneBasis: RuleBasis;
  /** Whom the organisation may appoint now; empty where the rules decide alone. */
  readonly options: readonly AdministratorOption[];
}

/**
 * Where the rules leave the organisation a choice of the client's portal administrator, and whom it
 * may appoint (issue 12, item 3). Found by asking the engine's own rule (`administratorOf`) what each
 * relation's appointment would do, so that the choices can never differ from what the engine then
 * decides: a registration counts as a choice only where the rules alone name nobody (a tie of equals,
 * A-3) and the registration makes that person administrator; an agreement only where a recorded yes
 * of the client would make that person administrator.
 */
export function administratorOptions(
  facts: ClientFacts,
  preset: PolicyPreset,
  today: string,
): AdministratorSituation {
  const now = administratorOf(facts, preset, today);
  const alone = administratorOf({ ...facts, administratorRegistrations: [] }, preset, today);
  const options: AdministratorOption[] = [];
  if (preset.model === 'portal-administrator') {
    for (const relation of facts.relations) {
      if (!relation.active || relation.reference === now.administrator) continue;
      if (alone.administrator === undefined) {
        const registered = administratorOf(
          { ...facts, administratorRegistrations: [relation.reference] },
          preset,
          today,
        );
        if (registered.administrator === relation.reference) {
          options.push({
            reference: relation.reference,
            role: relation.role,
            how: 'registration',
            rule: registered.basis.rule === 'A-8' ? 'A-3/A-8' : `A-3/${registered.basis.rule}`,
          });
          continue;
        }
      }
      const agreed = administratorOf(
        {
          ...facts,
          agreements: [
            ...facts.agreements,
            {
              consentId: 'hypothetical',
              kind: 'administrator-appointment',
              relation: relation.reference,
              agreed: true,
              recordedOn: '9999-12-31',
            },
          ],
        },
        preset,
        today,
      );
      if (agreed.administrator === relation.reference && agreed.basis.rule === 'A-5')
        options.push({ reference: relation.reference, role: relation.role, how: 'agreement', rule: 'A-5' });
    }
  }
  return {
    ...(now.administrator ? { administrator: now.administrator } : {}),
    basis: now.basis,
    ...(alone.administrator ? { byRulesAlone: alone.administrator } : {}),
    byRulesAloneBasis: alone.basis,
    options,
  };
}
