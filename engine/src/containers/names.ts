import { randomInt } from 'node:crypto';
import { InvalidArgument } from '../base/errors.js';

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** dockerd's rule and message for container names; returns the name with its leading slash. */
export function normalizeName(name: string): string {
  if (!VALID_NAME.test(name)) {
    throw new InvalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}

// Two short word lists of our own: a mood and a harbour word, e.g. "calm_lighthouse".
const MOODS = [
  'agile', 'amber', 'blissful', 'bold', 'brave', 'bright', 'brisk', 'calm', 'clever', 'cosmic', 'crisp', 'daring',
  'eager', 'fervent', 'fond', 'gentle', 'glad', 'golden', 'happy', 'hardy', 'humble', 'jolly', 'keen', 'kind',
  'lively', 'lucid', 'merry', 'mellow', 'nimble', 'noble', 'patient', 'plucky', 'proud', 'quick', 'quiet', 'rapid',
  'serene', 'sharp', 'shy', 'sleepy', 'smart', 'snug', 'steady', 'sunny', 'swift', 'tidy', 'tranquil', 'vivid',
  'warm', 'wise', 'witty', 'zealous',
];
const HARBOUR = [
  'anchor', 'bay', 'beacon', 'bollard', 'breakwater', 'buoy', 'cabin', 'capstan', 'cargo', 'channel', 'compass',
  'cove', 'crane', 'current', 'deck', 'dinghy', 'dock', 'ferry', 'fjord', 'galley', 'gangway', 'harbor', 'hatch',
  'helm', 'hull', 'inlet', 'jetty', 'keel', 'lagoon', 'lighthouse', 'marina', 'mast', 'mooring', 'narrows', 'oar',
  'pier', 'pilot', 'port', 'quay', 'reef', 'rudder', 'sail', 'schooner', 'shoal', 'skiff', 'sound', 'spar', 'tide',
  'tugboat', 'wake', 'wharf', 'yacht',
];

/** A random readable name not in use, as dockerd gives containers created without `--name`. */
export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${MOODS[randomInt(MOODS.length)]}_${HARBOUR[randomInt(HARBOUR.length)]}`;
    const name = `/${attempt < 10 ? base : `${base}${randomInt(10)}`}`;
    if (!taken(name)) return name;
  }
}
