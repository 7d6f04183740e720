import { busyboxRootfs, TEST_USER } from './busybox-rootfs.js';
import type { ImageBuilder, LayerSpec } from './builder.js';
import { hostileLayers } from './hostile.js';
import { dir, file, hardlink, opaque, symlink, whiteout } from './tar-layer.js';
import type { CatalogEntry, ContainerConfig, FixtureExpectations, ImageFixture, ManifestFixture } from './types.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const busyboxConfig: ContainerConfig = { Env: [DEFAULT_PATH], Cmd: ['sh'] };
const at = (iso: string) => new Date(iso);

/** The config image: every field image tests look at, with history entries that add no layer. */
export const fullConfig: ContainerConfig = {
  User: TEST_USER.name,
  ExposedPorts: { '8080/tcp': {}, '5353/udp': {} },
  Env: [DEFAULT_PATH, 'BERTH_TEST=1', 'GREETING=hello world'],
  Entrypoint: ['/bin/echo', 'entrypoint:'],
  Cmd: ['hello'],
  Volumes: { '/data': {} },
  WorkingDir: TEST_USER.home,
  Labels: { 'org.opencontainers.image.title': 'berth-test config', 'com.example.berth.test': 'yes' },
  StopSignal: 'SIGQUIT',
  Healthcheck: { Test: ['CMD-SHELL', 'test -f /hello.txt'], Interval: 5e9, Timeout: 3e9, StartPeriod: 1e9, Retries: 3 },
};

/** Mode, owner and mtime of /data/keep.txt (and so of its hard link /data/hardlink) in the whiteouts image. */
export const keepMeta = { mode: 0o640, uid: 1000, gid: 1000, mtime: at('2020-02-02T02:02:02Z') };

/** Four layers: files with modes/owners/mtimes and links, then whiteouts and an opaque dir, then a re-add. */
const whiteoutLayers: LayerSpec[] = [
  {
    compression: 'gzip',
    entries: [
      dir('data'),
      file('data/keep.txt', 'keep\n', keepMeta),
      // A hard link's header carries metadata too and extractors apply it to the shared inode: repeat the target's.
      { ...hardlink('data/hardlink', 'data/keep.txt'), ...keepMeta },
      symlink('data/symlink', 'keep.txt'),
      file('data/remove-me.txt', 'remove me\n'),
      file('data/setuid-tool', '#!/bin/sh\necho suid\n', { mode: 0o4755 }),
      file('data/exec.sh', '#!/bin/sh\necho exec\n', { mode: 0o755, uid: 1000, gid: 100 }),
      dir('data/dir-to-remove', { mode: 0o750 }),
      file('data/dir-to-remove/a.txt', 'a\n'),
      dir('data/dir-to-remove/nested'),
      file('data/dir-to-remove/nested/b.txt', 'b\n'),
      dir('opaque', { mode: 0o700, uid: 1000, gid: 1000 }),
      file('opaque/old1.txt', 'old1\n'),
      dir('opaque/sub'),
      file('opaque/sub/old2.txt', 'old2\n'),
    ],
  },
  {
    compression: 'gzip',
    entries: [
      whiteout('hello.txt'),
      dir('data'),
      whiteout('data/remove-me.txt'),
      whiteout('data/dir-to-remove'),
      file('data/added.txt', 'added\n', { mtime: at('2021-03-03T03:03:03Z') }),
      dir('opaque', { mode: 0o700, uid: 1000, gid: 1000 }),
      opaque('opaque'),
      file('opaque/new.txt', 'new\n'),
    ],
  },
  { compression: 'gzip', entries: [dir('data'), dir('data/dir-to-remove'), file('data/dir-to-remove/fresh.txt', 'fresh\n')] },
];

const whiteoutExpect: FixtureExpectations = {
  present: [
    '/bin/busybox',
    '/data/keep.txt',
    '/data/hardlink',
    '/data/symlink',
    '/data/added.txt',
    '/data/setuid-tool',
    '/data/exec.sh',
    '/data/dir-to-remove/fresh.txt',
    '/opaque/new.txt',
  ],
  absent: ['/hello.txt', '/data/remove-me.txt', '/data/dir-to-remove/a.txt', '/data/dir-to-remove/nested', '/opaque/old1.txt', '/opaque/sub'],
};

function entry(ref: string, image: ImageFixture, expect?: FixtureExpectations): CatalogEntry {
  const [repository, tag] = ref.split(':') as [string, string];
  return { ref, repository, tag, image, ...(expect ? { expect } : {}) };
}

/** Builds every fixture image. Names are the keys tests use; refs are what gets pushed. */
export async function buildCatalog(b: ImageBuilder) {
  const base = busyboxRootfs();
  const gz: LayerSpec = { entries: base, compression: 'gzip' };
  const marker = (arch: string): LayerSpec => ({
    compression: 'gzip',
    entries: [dir('etc'), file('etc/berth-arch', `${arch}\n`)],
  });
  const multi = async (format: 'docker' | 'oci') => {
    const x86: ManifestFixture = await b.image({ format, platform: amd64, layers: [gz, marker('amd64')], config: busyboxConfig });
    // No arm64 busybox here: a marker file is enough to tell which platform an engine picked.
    const arm: ManifestFixture = await b.image({ format, platform: arm64, layers: [marker('arm64')], config: busyboxConfig });
    return b.index(format, [x86, arm]);
  };
  const hostile = async (name: keyof typeof hostileLayers, tag: string) =>
    entry(
      `berth-test/hostile:${tag}`,
      await b.image({ format: 'oci', platform: amd64, layers: [{ entries: hostileLayers[name].entries, compression: 'gzip' }], config: busyboxConfig }),
      hostileLayers[name].expect,
    );
  const basicExpect = { present: ['/bin/busybox', '/bin/sh', '/etc/passwd', '/hello.txt'] };

  return {
    busybox: entry('berth-test/busybox:latest', await b.image({ format: 'docker', platform: amd64, layers: [gz], config: busyboxConfig }), basicExpect),
    busyboxOci: entry('berth-test/busybox:oci', await b.image({ format: 'oci', platform: amd64, layers: [gz], config: busyboxConfig }), basicExpect),
    config: entry(
      'berth-test/config:latest',
      await b.image({
        format: 'docker',
        platform: amd64,
        layers: [gz],
        config: fullConfig,
        author: 'Berth test rig',
        history: [
          { created_by: '/bin/sh -c #(nop) ADD file:busybox-rootfs in / ' },
          { created_by: `/bin/sh -c #(nop)  ENV BERTH_TEST=1 GREETING=hello world`, empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  LABEL com.example.berth.test=yes', empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  EXPOSE 5353/udp 8080/tcp', empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  VOLUME [/data]', empty_layer: true },
          { created_by: `/bin/sh -c #(nop)  USER ${TEST_USER.name}`, empty_layer: true },
          { created_by: `/bin/sh -c #(nop) WORKDIR ${TEST_USER.home}`, empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "test -f /hello.txt"] "5s" "3s" "1s" \'\\x03\'}', empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  STOPSIGNAL SIGQUIT', empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/echo" "entrypoint:"]', empty_layer: true },
          { created_by: '/bin/sh -c #(nop)  CMD ["hello"]', empty_layer: true, comment: 'last' },
        ],
      }),
      basicExpect,
    ),
    whiteouts: entry(
      'berth-test/layers:whiteouts',
      await b.image({ format: 'docker', platform: amd64, layers: [gz, ...whiteoutLayers], config: busyboxConfig }),
      whiteoutExpect,
    ),
    uncompressed: entry(
      'berth-test/layers:uncompressed',
      await b.image({ format: 'oci', platform: amd64, layers: [{ entries: base, compression: 'none' }], config: busyboxConfig }),
      basicExpect,
    ),
    zstd: entry(
      'berth-test/layers:zstd',
      await b.image({ format: 'oci', platform: amd64, layers: [{ entries: base, compression: 'zstd' }], config: busyboxConfig }),
      basicExpect,
    ),
    multiarch: entry('berth-test/multiarch:latest', await multi('oci'), { present: ['/etc/berth-arch'] }),
    multiarchList: entry('berth-test/multiarch:manifest-list', await multi('docker'), { present: ['/etc/berth-arch'] }),
    hostileDotdot: await hostile('dotdot', 'dotdot'),
    hostileAbsolute: await hostile('absolute', 'absolute'),
    hostileSymlink: await hostile('symlinkEscape', 'symlink-escape'),
    hostileHardlink: await hostile('hardlinkEscape', 'hardlink-escape'),
  } satisfies Record<string, CatalogEntry>;
}

export type TestCatalog = Awaited<ReturnType<typeof buildCatalog>>;
export type TestImageName = keyof TestCatalog;
