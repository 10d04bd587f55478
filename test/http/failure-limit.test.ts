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

  it('a success clears the count', () => {
    const limit = new FailureLimit(2, 60_000);
    limit.fail('a');
    limit.succeed('a');
    limit.fail('a');
    expect(limit.retryAfter('a')).toBe(0);
  });
});
