import { describe, expect, it } from 'vitest';
import { Filters } from '../base/filters.js';
import { EventsService, type EngineEvent } from './events.js';
import { eventFilter } from './filter.js';

describe('EventsService', () => {
  it('replays from the ring buffer with since/until and streams live events', () => {
    const bus = new EventsService(3);
    const first = bus.publish('container', 'create', 'c1', { name: 'web', image: 'nginx' });
    bus.publish('container', 'start', 'c1', { name: 'web', image: 'nginx' });
    const live: EngineEvent[] = [];
    const sub = bus.subscribe({ since: first.timeNano, onEvent: (e) => live.push(e) });
    expect(sub.past.map((e) => e.Action)).toEqual(['create', 'start']);
    bus.publish('container', 'die', 'c1');
    expect(live.map((e) => e.Action)).toEqual(['die']);
    sub.close();
    bus.publish('container', 'destroy', 'c1');
    expect(live).toHaveLength(1);
  });

  it('keeps only the newest events once full', () => {
    const bus = new EventsService(2);
    for (const a of ['a', 'b', 'c']) bus.publish('image', a, 'x');
    const sub = bus.subscribe({ since: 0n, onEvent: () => undefined });
    expect(sub.past.map((e) => e.Action)).toEqual(['b', 'c']);
  });
});

describe('eventFilter', () => {
  const bus = new EventsService();
  const ev = (type: Parameters<EventsService['publish']>[0], action: string, id: string, attrs: Record<string, string> = {}) =>
    bus.publish(type, action, id, attrs);
  const match = (filters: string, e: EngineEvent) => eventFilter(Filters.parse(filters))(e);

  it('filters by type, event and container name or ID prefix', () => {
    const start = ev('container', 'start', 'abcdef123', { name: 'web', image: 'nginx:latest' });
    expect(match('{"type":["container"]}', start)).toBe(true);
    expect(match('{"type":["image"]}', start)).toBe(false);
    expect(match('{"container":["web"]}', start)).toBe(true);
    expect(match('{"container":["abc"]}', start)).toBe(true);
    expect(match('{"container":["db"]}', start)).toBe(false);
    expect(match('{"event":["start","stop"]}', start)).toBe(true);
    expect(match('{"event":["stop"]}', start)).toBe(false);
  });

  it('matches exec_start and health_status by prefix, as dockerd does', () => {
    const exec = ev('container', 'exec_start: sh -c true', 'c1');
    expect(match('{"event":["exec_start"]}', exec)).toBe(true);
  });

  it('matches images by name with or without tag, and labels with AND', () => {
    const run = ev('container', 'start', 'c2', { image: 'busybox:latest', 'com.example': 'x' });
    expect(match('{"image":["busybox"]}', run)).toBe(true);
    expect(match('{"image":["busybox:latest"]}', run)).toBe(true);
    expect(match('{"image":["alpine"]}', run)).toBe(false);
    expect(match('{"label":["com.example=x"]}', run)).toBe(true);
    expect(match('{"label":["com.example=y"]}', run)).toBe(false);
  });
});
