import { CursorRefused, PagingCursors } from '../../../src/fhir/paging';
import type { Principal } from '../../../src/fhir/request';

/** The cursor seal itself: what the HTTP tests cannot reach without waiting out its lifetime. */
describe('paging cursors', () => {
  const key = Buffer.alloc(32, 7);
  const principal = {
    clientApp: 'portal-app',
    subject: 'link-1',
    user: 'Patient/p1',
    patient: 'Patient/p1',
    scopes: [],
    expiresAt: new Date(0),
  } as unknown as Principal;
  const binding = { query: 'search Observation' };

  it('FHIR-SEARCH-27, LV-3: a cursor expires after its lifetime', () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const cursors = new PagingCursors(key, 900, () => now);
    const token = cursors.seal(principal, binding, { s: 5 });
    now += 899_000;
    expect(cursors.open(token, principal, binding)).toEqual({ s: 5 });
    now += 2_000;
    expect(() => cursors.open(token, principal, binding)).toThrow(CursorRefused);
  });

  it('FHIR-SEARCH-28, LV-3: a cursor opens for its principal, client app and query only, and under its key only', () => {
    const cursors = new PagingCursors(key, 900);
    const token = cursors.seal(principal, binding, { s: 1 });
    const refused = (p: Principal, b = binding, c = cursors) => {
      let error: unknown;
      try {
        c.open(token, p, b);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CursorRefused);
      expect((error as CursorRefused).status).toBe(410);
    };
    refused({ ...principal, clientApp: 'other-app' });
    refused({ ...principal, subject: 'link-2' });
    refused({ ...principal, user: 'RelatedPerson/r1' } as unknown as Principal);
    refused(principal, { query: 'search Condition' });
    refused(principal, binding, new PagingCursors(Buffer.alloc(32, 8), 900));
  });

  it('FHIR-SEARCH-32, LV-20: what a cursor holds cannot be read from it, and two seals of the same differ', () => {
    const cursors = new PagingCursors(key, 900);
    const position = { u: '/Observation?subject=Patient/mz-c001&_offset=50', s: 3 };
    const one = cursors.seal(principal, binding, position);
    const two = cursors.seal(principal, binding, position);
    expect(one).not.toBe(two);
    for (const token of [one, two]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(
        /Observation|mz-c001|link-1|portal/,
      );
      expect(cursors.open(token, principal, binding)).toEqual(position);
    }
  });
});
