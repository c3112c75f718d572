import { ConfigError, configReader } from './config-reader';

describe('configReader', () => {
  it('collects every problem and reports them in one ConfigError naming the variables', () => {
    const read = configReader({ B: '-1', C: '2.5' });
    expect(read.required('A')).toBe('');
    expect(read.positive('B', 3)).toBe(-1);
    expect(read.positive('C', 3)).toBe(2.5);
    read.problems.push('D must be a port');
    expect(() => read.check()).toThrow(ConfigError);
    expect(() => read.check()).toThrow(
      'invalid configuration: A is required; B must be a positive integer; C must be a positive integer; D must be a port',
    );
  });

  it('passes valid values and defaults, fractions where numbers are allowed', () => {
    const read = configReader({ A: 'x', C: '0.5' });
    expect(read.required('A')).toBe('x');
    expect(read.positive('B', 3)).toBe(3);
    expect(read.positive('C', 1, 'number')).toBe(0.5);
    expect(() => read.check()).not.toThrow();
  });
});
