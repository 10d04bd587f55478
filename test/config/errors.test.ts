import { GatewayError, isGatewayError } from '../../src/errors';
import { ConfigError } from '../../src/config';

describe('ConfigError', () => {
  it('is a GatewayError with a stable code, and keeps its source and issues', () => {
    const issues = [{ field: 'server.port', message: 'must be an integer', line: 2 }];
    const err = new ConfigError('config/inzage.yaml', issues);
    expect(err).toBeInstanceOf(GatewayError);
    expect(isGatewayError(err)).toBe(true);
    expect(err).toMatchObject({
      name: 'ConfigError',
      code: 'ERR_CONFIG_INVALID',
      status: 500,
      expose: false,
    });
    expect(err.source).toBe('config/inzage.yaml');
    expect(err.issues).toEqual(issues);
  });

  it('lists one issue per line: line, field, message', () => {
    const err = new ConfigError('c.yaml', [
      { field: 'server.port', message: 'must be an integer (got "eighty")', line: 2 },
      { field: 'PORT (environment)', message: 'must be an integer from 0 to 65535' },
    ]);
    expect(err.message).toBe(
      'invalid configuration (c.yaml):\n' +
        '  - line 2: server.port: must be an integer (got "eighty")\n' +
        '  - PORT (environment): must be an integer from 0 to 65535',
    );
  });

  it('never reports "line 0" or another line that is no 1-based line', () => {
    const err = new ConfigError('c.yaml', [
      { field: 'a', message: 'x', line: 0 },
      { field: 'b', message: 'y', line: -3 },
      { field: 'c', message: 'z', line: 1.5 },
    ]);
    expect(err.message).not.toMatch(/line/);
    expect(err.issues.map((i) => i.line)).toEqual([undefined, undefined, undefined]);
  });
});
