import { InvalidInput } from '../errors';
import { isPersonReference, type PersonReference } from './references';

/**
 * Who made a change. Every write to the gateway's tables records one, so that the audit trail can say
 * who granted, who suspended, which ECD import changed a resource. Stored as text:
 *   'Patient/<id>' | 'RelatedPerson/<id>'   a portal user (a grant, a withdrawal)
 *   'ecd-import:<organisation>:<run>'       one ECD import or push
 *   'staff:<account>'                       a staff member of the care organisation
 *   'system:<component>'                    the gateway itself (a migration, a scheduled job)
 */
export type Actor =
  | { kind: 'person'; reference: PersonReference }
  | { kind: 'ecd-import'; organisationId: string; run: string }
  | { kind: 'staff'; account: string }
  | { kind: 'system'; component: string };

const TOKEN = /^[A-Za-z0-9._@-]{1,128}$/;

function checkToken(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new InvalidInput(`not a valid ${what} for an actor: '${value.slice(0, 40)}'`);
  return value;
}

export function actorText(actor: Actor): string {
  switch (actor.kind) {
    case 'person':
      return actor.reference;
    case 'ecd-import':
      return `ecd-import:${checkToken(actor.organisationId, 'organisation')}:${checkToken(actor.run, 'run')}`;
    case 'staff':
      return `staff:${checkToken(actor.account, 'account')}`;
    case 'system':
      return `system:${checkToken(actor.component, 'component')}`;
  }
}

export function parseActor(text: string): Actor {
  if (isPersonReference(text)) return { kind: 'person', reference: text };
  const [kind, ...rest] = text.split(':');
  if (kind === 'ecd-import' && rest.length === 2)
    return { kind, organisationId: checkToken(rest[0]!, 'organisation'), run: checkToken(rest[1]!, 'run') };
  if (kind === 'staff' && rest.length === 1) return { kind, account: checkToken(rest[0]!, 'account') };
  if (kind === 'system' && rest.length === 1) return { kind, component: checkToken(rest[0]!, 'component') };
  throw new InvalidInput(`not an actor: '${text.slice(0, 80)}'`);
}

export function personActor(reference: PersonReference): Actor {
  return { kind: 'person', reference };
}
