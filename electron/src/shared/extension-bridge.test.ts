import { describe, expect, it } from 'vitest';
import { isFrameMessage, stripQuotes } from './extension-bridge.js';

describe('the ddClient bridge messages', () => {
  it('strips one pair of surrounding quotes per argument, as Docker Desktop', () => {
    expect(stripQuotes('"{{json .}}"')).toBe('{{json .}}');
    expect(stripQuotes("'a b'")).toBe('a b');
    expect(stripQuotes('""x""')).toBe('"x"');
    expect(stripQuotes('"mixed\'')).toBe('"mixed\'');
    expect(stripQuotes('plain')).toBe('plain');
  });
  it('accepts only well-formed frame messages', () => {
    expect(isFrameMessage({ berthExt: 1, id: 1, op: 'exec', exec: { scope: 'host', cmd: 'k', args: ['a'] } })).toBe(true);
    expect(isFrameMessage({ berthExt: 1, id: 1, op: 'exec', exec: { scope: 'root', cmd: 'k', args: [] } })).toBe(false);
    expect(isFrameMessage({ berthExt: 1, id: 1, op: 'exec', exec: { scope: 'docker', cmd: 'ps', args: [1] } })).toBe(false);
    expect(isFrameMessage({ berthExt: 1, id: 2, op: 'call', call: { kind: 'docker.listImages' } })).toBe(true);
    expect(isFrameMessage({ id: 2, op: 'close' })).toBe(false);
    expect(isFrameMessage('hello')).toBe(false);
  });
});
