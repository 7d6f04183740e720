import { describe, expect, it } from 'vitest';
import { engineCapabilityBound } from './capability-bound.js';

describe('engineCapabilityBound', () => {
  it('reads the bounding set bit by bit', () => {
    const caps = engineCapabilityBound('Name:\tx\nCapBnd:\t000001fffeffffff\n');
    expect(caps).not.toContain('CAP_SYS_RESOURCE');
    expect(caps).toContain('CAP_SYS_ADMIN');
    expect(caps).toContain('CAP_CHECKPOINT_RESTORE');
    expect(caps).toHaveLength(40);
  });
});
