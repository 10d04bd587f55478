import { checkRecord, passesElevenTest } from '../../src/ecd/record-schemas';

const today = '2026-11-23';
const client = {
  id: 'c0001',
  bsn: '999990019',
  name: { given: ['Anna'], family: 'Vries', prefix: 'de' },
  birthDate: '1940-02-29',
  gender: 'female',
  telecom: { email: 'anna@example.nl', mobile: '+31612340001' },
};

describe('ECD record checks', () => {
  it('accepts a valid client', () => {
    expect(checkRecord('clients', client, today)).toEqual([]);
  });

  it.each([
    ['999990019', true],
    ['123456782', true],
    ['123456789', false],
    ['000000000', false],
    ['12345678', false],
  ])('the eleven-test on %s is %s', (bsn, ok) => {
    expect(passesElevenTest(bsn)).toBe(ok);
  });

  it('names the field of a BSN that fails the eleven-test', () => {
    expect(checkRecord('clients', { ...client, bsn: '123456789' }, today)).toEqual([
      { field: 'bsn', reason: 'is not a valid BSN (fails the eleven-test)' },
    ]);
  });

  it('refuses a birth date in the future and an impossible date', () => {
    expect(checkRecord('clients', { ...client, birthDate: '2026-11-24' }, today)).toEqual([
      { field: 'birthDate', reason: 'lies in the future (today is 2026-11-23)' },
    ]);
    expect(checkRecord('clients', { ...client, birthDate: '1941-02-29' }, today)).toEqual([
      { field: 'birthDate', reason: 'must be a calendar date YYYY-MM-DD' },
    ]);
  });

  it('reports wrong types, unknown fields and missing fields together', () => {
    const problems = checkRecord(
      'clients',
      { id: 'c1', name: { given: 'Anna', family: 'X' }, birthDate: 19400101, gender: 'f', extra: 1 },
      today,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'extra', reason: 'is not a field of this record' },
        { field: 'name.given', reason: 'must be an array' },
        { field: 'birthDate', reason: 'must be a string' },
        { field: 'gender', reason: 'must be one of male, female, other, unknown' },
      ]),
    );
  });

  it('B10: reports the rules a schema cannot say alongside the schema problems', () => {
    const problems = checkRecord(
      'clients',
      { ...client, bsn: '123456789', gender: 'f', deceasedDate: '2030-01-01' },
      today,
    );
    expect(problems).toEqual([
      { field: 'gender', reason: 'must be one of male, female, other, unknown' },
      { field: 'bsn', reason: 'is not a valid BSN (fails the eleven-test)' },
      { field: 'deceasedDate', reason: 'lies in the future (today is 2026-11-23)' },
    ]);
  });

  it('B10: applies no rule to a field that already has a schema problem', () => {
    expect(checkRecord('clients', { ...client, bsn: '12345678', birthDate: '2026-13-45' }, today)).toEqual([
      { field: 'bsn', reason: 'must be 9 digits' },
      { field: 'birthDate', reason: 'must be a calendar date YYYY-MM-DD' },
    ]);
    const agreement = { id: 'z1', clientId: 'c1', careType: 'x', start: '2026-05-01', end: '2026-04' };
    expect(checkRecord('careAgreements', agreement, today)).toEqual([
      { field: 'careType', reason: 'must be one of elderly-care, disability-care' },
      { field: 'end', reason: 'must be a calendar date YYYY-MM-DD' },
    ]);
  });

  it('refuses an unknown relation role', () => {
    const relation = { id: 'r1', clientId: 'c1', role: 'neighbour', name: { given: ['B'], family: 'C' } };
    expect(checkRecord('relations', relation, today)).toEqual([
      {
        field: 'role',
        reason:
          'must be one of first-contact-person, second-contact-person, curator, mentor, parent, guardian, financial-administrator, other',
      },
    ]);
  });

  it('checks person references, sections and withdrawal dates of authorisations', () => {
    const base = {
      id: 'a1',
      clientId: 'c1',
      grantedBy: { kind: 'client' },
      granteeRelationId: 'r1',
      sections: ['reports', 'care-plan'],
      grantedOn: '2026-01-10',
    };
    expect(checkRecord('portalAuthorisations', base, today)).toEqual([]);
    expect(
      checkRecord('portalAuthorisations', { ...base, grantedBy: { kind: 'relation' } }, today)[0]?.field,
    ).toBe('grantedBy');
    expect(checkRecord('portalAuthorisations', { ...base, sections: ['everything'] }, today)[0]?.field).toBe(
      'sections[0]',
    );
    expect(
      checkRecord(
        'portalAuthorisations',
        { ...base, withdrawal: { requestReceivedAt: '2026-01-01T09:00:00+01:00' } },
        today,
      ),
    ).toEqual([{ field: 'withdrawal.requestReceivedAt', reason: 'is before the authorisation was granted' }]);
  });

  it.each([
    ['2026-11-09T23:30:00Z', 'accepted: 00:30 on 10 November in Amsterdam', []],
    [
      '2026-11-10T00:30:00+02:00',
      'refused: 23:30 on 9 November in Amsterdam',
      ['withdrawal.requestReceivedAt'],
    ],
    ['2026-11-09T23:00:00Z', 'accepted: midnight on 10 November in Amsterdam', []],
    [
      '2026-11-09T22:59:59Z',
      'refused: a second before midnight in Amsterdam',
      ['withdrawal.requestReceivedAt'],
    ],
  ])(
    'B12: a withdrawal is compared with its grant as moments in Amsterdam: %s is %s',
    (requestReceivedAt, _why, fields) => {
      const authorisation = {
        id: 'a1',
        clientId: 'c1',
        grantedBy: { kind: 'client' },
        granteeRelationId: 'r1',
        sections: ['reports'],
        grantedOn: '2026-11-10',
        withdrawal: { requestReceivedAt },
      };
      expect(checkRecord('portalAuthorisations', authorisation, today).map((p) => p.field)).toEqual(fields);
    },
  );

  it('refuses an end before a start', () => {
    const agreement = {
      id: 'z1',
      clientId: 'c1',
      careType: 'elderly-care',
      start: '2026-05-01',
      end: '2026-04-30',
    };
    expect(checkRecord('careAgreements', agreement, today)).toEqual([
      { field: 'end', reason: 'is before the start date' },
    ]);
  });

  it('checks the export header', () => {
    const header = {
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: '2026-11-23T08:00:00+01:00',
      id: 'meerzicht',
      name: 'M',
    };
    expect(checkRecord('organisation', header, today)).toEqual([]);
    expect(checkRecord('organisation', { ...header, version: 2 }, today)).toEqual([
      { field: 'version', reason: 'must be 1' },
    ]);
  });
});
