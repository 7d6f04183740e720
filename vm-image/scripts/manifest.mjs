// Writes manifest.json for a built image: versions of what is inside and the sha256 of each artifact.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [dir, key, arch, kernel, node, enginePkg] = process.argv.slice(2);

async function sha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

const artifacts = {};
for (const name of ['vmlinuz', 'initrd.img', 'rootfs.squashfs', 'data-ext4-64g.qcow2']) {
  const file = join(dir, name);
  if (name.startsWith('data-') && !existsSync(file)) continue; // no template: built without mkfs.ext4/qemu-img
  artifacts[name] = { size: statSync(file).size, sha256: await sha256(file) };
}
const packages = readFileSync(join(dir, 'packages.txt'), 'utf8').trim().split('\n').map((line) => {
  const i = line.indexOf('=');
  return { name: line.slice(0, i), version: line.slice(i + 1) };
});
const manifest = {
  schema: 1,
  key,
  arch,
  kernel,
  kernelCmdline: arch === 'arm64' ? 'console=ttyAMA0' : 'console=ttyS0',
  node,
  berthd: JSON.parse(readFileSync(enginePkg, 'utf8')).version,
  artifacts,
  packages,
};
process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
