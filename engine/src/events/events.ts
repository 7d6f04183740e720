import { nowNanos } from '../base/timestamp.js';

export type EventType =
  | 'builder'
  | 'config'
  | 'container'
  | 'daemon'
  | 'image'
  | 'network'
  | 'node'
  | 'plugin'
  | 'secret'
  | 'service'
  | 'volume';

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local' | 'swarm';
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch; a bigint because it does not fit a double exactly. */
  timeNano: bigint;
}

export type EventListener = (event: EngineEvent) => void;

export interface Subscription {
  /** Events from the ring buffer at or after `since` (and not after `until`), oldest first. */
  readonly past: EngineEvent[];
  close(): void;
}

export interface SubscribeOptions {
  since?: bigint;
  until?: bigint;
  filter?: (event: EngineEvent) => boolean;
  onEvent: EventListener;
}

/**
 * The engine's event bus: a ring buffer of recent events (so `docker events --since` can replay) plus live
 * subscribers. Publishing never blocks; a slow subscriber is the transport's problem (it buffers or drops).
 */
export class EventsService {
  private readonly ring: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly capacity: number;

  constructor(capacity = 1024) {
    this.capacity = capacity;
  }

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    const timeNano = nowNanos();
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: { ...attributes } },
      scope: 'local',
      time: Number(timeNano / 1_000_000_000n),
      timeNano,
    };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of [...this.listeners]) listener(event);
    return event;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const { since, until, filter, onEvent } = options;
    const inWindow = (e: EngineEvent): boolean =>
      (since === undefined || e.timeNano >= since) && (until === undefined || e.timeNano <= until);
    const past = since === undefined ? [] : this.ring.filter((e) => inWindow(e) && (!filter || filter(e)));
    const listener: EventListener = (e) => {
      if (inWindow(e) && (!filter || filter(e))) onEvent(e);
    };
    this.listeners.add(listener);
    return { past, close: () => this.listeners.delete(listener) };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
