import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backendModel, IMAGE_SERVICE } from './compose.js';

describe('extension backend compose file', () => {
  it('turns vm.image into one service with the guest-services folder and Docker Desktop labels', () => {
    const m = backendModel({ vm: { image: '${DESKTOP_PLUGIN_IMAGE}' } }, 'acme/ext', '/gs/acme_ext');
    expect(m.services).toEqual([IMAGE_SERVICE]);
    expect(parse(m.yaml)).toEqual({
      services: {
        [IMAGE_SERVICE]: {
          image: '${DESKTOP_PLUGIN_IMAGE}',
          volumes: ['/gs/acme_ext:/run/guest-services'],
          labels: { 'com.docker.desktop.extension': 'true', 'com.docker.desktop.extension.name': 'acme/ext' },
          restart: 'unless-stopped',
        },
      },
    });
  });
  it('keeps a composefile\'s services in order and adds to their volumes and labels', () => {
    const text = 'services:\n  api:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n    labels: [a=b]\n    volumes: [data:/data]\n    restart: always\n  db:\n    image: busybox\nvolumes:\n  data: {}\n';
    const m = backendModel({ vm: { composefile: 'docker-compose.yaml' } }, 'acme/ext', '/gs', text);
    const doc = parse(m.yaml);
    expect(m.services).toEqual(['api', 'db']);
    expect(doc.services.api.volumes).toEqual(['data:/data', '/gs:/run/guest-services']);
    expect(doc.services.api.labels).toEqual(['a=b', 'com.docker.desktop.extension=true', 'com.docker.desktop.extension.name=acme/ext']);
    expect(doc.services.api.restart).toBe('always');
    expect(doc.volumes).toEqual({ data: {} });
  });
  it('gives a backend binding docker.sock.raw the engine: the VM\'s socket there, else the local engine\'s own', () => {
    const text = 'services:\n  api:\n    image: x\n    volumes:\n      - /var/run/docker.sock.raw:/var/run/docker.sock\n      - type: bind\n        source: /var/run/docker.sock.raw\n        target: /sock\n';
    const inVm = parse(backendModel({ vm: { composefile: 'c.yaml' } }, 'x', '/gs', text).yaml);
    expect(inVm.services.api.volumes[0]).toBe('/var/run/docker.sock.raw:/var/run/docker.sock');
    const local = parse(backendModel({ vm: { composefile: 'c.yaml' } }, 'x', '/gs', text, { engineSocket: '/run/e.sock' }).yaml);
    expect(local.services.api.volumes).toEqual(['/run/e.sock:/var/run/docker.sock', { type: 'bind', source: '/run/e.sock', target: '/sock' }, '/gs:/run/guest-services']);
  });
  it('refuses a compose file without services', () => {
    expect(() => backendModel({ vm: { composefile: 'c.yaml' } }, 'x', '/gs', 'volumes: {}\n')).toThrow(/defines no services/);
  });
});
