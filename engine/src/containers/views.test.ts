import { describe, expect, it } from 'vitest';
import { commandText } from './views.js';

describe('commandText (the Command column of docker ps)', () => {
  it('quotes arguments that hold a space, as dockerd does', () => {
    expect(commandText({ Path: 'sh', Args: ['-c', 'echo "hi" there'] })).toBe(`sh -c 'echo "hi" there'`);
  });
  it('leaves plain arguments and a bare path alone', () => {
    expect(commandText({ Path: 'sleep', Args: ['1000'] })).toBe('sleep 1000');
    expect(commandText({ Path: '/bin/true', Args: [] })).toBe('/bin/true');
  });
});
