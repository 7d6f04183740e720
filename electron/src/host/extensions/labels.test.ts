import { describe, expect, it } from 'vitest';
import { apiConstraintMet, labelProblems, LABELS } from './labels.js';

const ok = { [LABELS.title]: 'T', [LABELS.description]: 'D', [LABELS.vendor]: 'V', [LABELS.apiVersion]: '>= 0.2.3' };

describe('extension labels', () => {
  it('reads the api.version forms seen in real extensions', () => {
    expect(apiConstraintMet('>= 0.2.3')).toBe(true);
    expect(apiConstraintMet('>=0.2.3')).toBe(true);
    expect(apiConstraintMet('0.3.4')).toBe(true);
    expect(apiConstraintMet('0.2.0')).toBe(true);
    expect(apiConstraintMet('>= 1.4.7, < 2.0')).toBe(false);
    expect(apiConstraintMet('1.0.0')).toBe(false);
    expect(() => apiConstraintMet('soon')).toThrow(/not a version/);
  });
  it('names each missing label and an unmet constraint with both versions', () => {
    expect(labelProblems(ok)).toEqual([]);
    expect(labelProblems({ ...ok, [LABELS.vendor]: '' })).toEqual([`missing required label ${LABELS.vendor}`]);
    expect(labelProblems({ ...ok, [LABELS.apiVersion]: '>= 1.0.0' })).toEqual(['the extension needs extension API >= 1.0.0 but Berth implements 0.3.4']);
    expect(labelProblems(ok, true)).toContain(`missing required label ${LABELS.changelog}`);
  });
});
