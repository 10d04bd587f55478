import { FailureLimit } from '../../src/http';

describe('FailureLimit', () => {
  it('refuses after the maximum within the window, says for how long, and forgets old failures', () => {
    let now = 1_000_000;
    const limit = new FailureLimit(3, 60_000, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(limit.retryAfter('a')).toBe(0);
      limit.fail('a');
      now += 1_000;
    }
    expect(limit.retryAfter('a')).toBe(57);
    expect(limit.retryAfter('b')).toBe(0);
    now += 57_000;
    expect(limit.retryAfter('a')).toBe(0);
  });

  it('B18: counts each key apart, so one locked key locks no other', () => {
    const now = 1_000_000;
    const limit = new FailureLimit(2, 60_000, () => now);
    limit.fail('meerzicht 10.0.0.1');
    limit.fail('meerzicht 10.0.0.1');
    expect(limit.count('meerzicht 10.0.0.1')).toBe(2);
    expect(limit.retryAfter('meerzicht 10.0.0.1')).toBe(60);
    expect(limit.retryAfter('meerzicht 10.0.0.2')).toBe(0);
    expect(limit.retryAfter('amerhof 10.0.0.1')).toBe(0);
    expect(limit.count('amerhof 10.0.0.1')).toBe(0);
  });
});
