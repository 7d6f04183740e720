import { file, hardlink, symlink, type LayerEntry } from './tar-layer.js';
import type { FixtureExpectations } from './types.js';

/**
 * Layer archives that try to write outside the directory they are extracted into. A safe extractor keeps every
 * entry inside its root (or refuses the layer); these fixtures only ever aim at `/tmp/berth-escape-*` and at
 * links to `/etc/passwd`, never at writing a host file that matters.
 */
export interface HostileLayer {
  entries: LayerEntry[];
  expect: FixtureExpectations;
}

export const hostileLayers = {
  /** `../` climbing out of the root, directly and through a subdirectory. */
  dotdot: {
    entries: [
      file('ok.txt', 'ok\n'),
      file('../berth-escape-dotdot.txt', 'escaped\n'),
      file('safe/../../berth-escape-dotdot2.txt', 'escaped\n'),
    ],
    // Relative to the extraction root: the directory above it must stay untouched.
    expect: { present: ['/ok.txt'], hostEscapes: ['../berth-escape-dotdot.txt', '../berth-escape-dotdot2.txt'] },
  },
  /** Absolute member names, which must land inside the root (or be refused), never at the host path. */
  absolute: {
    entries: [file('ok.txt', 'ok\n'), file('/tmp/berth-escape-absolute.txt', 'escaped\n')],
    expect: { present: ['/ok.txt'], hostEscapes: ['/tmp/berth-escape-absolute.txt'] },
  },
  /** A symlink to `/` (and one climbing with `..`), then a file written through it. */
  symlinkEscape: {
    entries: [
      symlink('link', '/'),
      file('link/tmp/berth-escape-symlink.txt', 'escaped\n'),
      symlink('rel', '../../../../../../../../..'),
      file('rel/tmp/berth-escape-symlink-rel.txt', 'escaped\n'),
    ],
    expect: { hostEscapes: ['/tmp/berth-escape-symlink.txt', '/tmp/berth-escape-symlink-rel.txt'] },
  },
  /**
   * Hard links whose targets lie outside the root: absolute, climbing, and through a symlink. A safe extractor
   * resolves them inside the root (where no such file exists) or refuses; it must never link the host's
   * /etc/passwd, whose link count a test can compare before and after.
   */
  hardlinkEscape: {
    entries: [
      file('ok.txt', 'ok\n'),
      hardlink('passwd-abs', '/etc/passwd'),
      hardlink('passwd-rel', '../../../../../../../../../etc/passwd'),
      symlink('up', '/'),
      hardlink('passwd-via-symlink', 'up/etc/passwd'),
    ],
    expect: { hostEscapes: [] },
  },
} satisfies Record<string, HostileLayer>;

export type HostileLayerName = keyof typeof hostileLayers;
