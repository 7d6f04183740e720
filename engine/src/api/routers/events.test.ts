import { describe, expect, it } from 'vitest';
import { EventsService } from '../../events/events.js';
import { encodeEvent } from './events.js';

describe('encodeEvent', () => {
  const bus = new EventsService();
  const e = bus.publish('container', 'start', 'abc', { image: 'busybox', name: 'web' });

  it('writes timeNano as exact digits', () => {
    const json = encodeEvent(e, '1.51');
    expect(json).toContain(`"timeNano":${e.timeNano.toString()}}`);
    expect(JSON.parse(json).time).toBe(e.time);
  });
  it('adds the legacy status/id/from fields before API 1.52 only', () => {
    expect(JSON.parse(encodeEvent(e, '1.51'))).toMatchObject({ status: 'start', id: 'abc', from: 'busybox' });
    expect(JSON.parse(encodeEvent(e, '1.52'))).not.toHaveProperty('status');
  });
});
