/* global window, document */
// The UI of the fixture extensions: plain browser JS (as a minimal extension ships it) that calls window.ddClient
// and lists what each call gave, one <li data-key> per result, for the e2e tests to read. <body data-checks>
// picks the calls: basics, toast, stream, vm, engine, host, v0.
(function () {
  const list = document.getElementById('out');
  const out = (key, value) => {
    const li = document.createElement('li');
    li.dataset.key = key;
    li.textContent = `${key}: ${value}`;
    list.append(li);
  };
  const fail = (key) => (e) => out(key, `error ${e && (e.statusCode || e.code || '')} ${e && (e.message || e.stderr || JSON.stringify(e))}`.trim());
  const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
  const checks = new Set((document.body.dataset.checks || '').split(' '));
  const dd = window.ddClient;
  out('ddclient', typeof dd);
  out('platform', dd.host.platform);
  out('image', dd.extension.image);
  out('themes', window.__ddMuiV5Themes && window.__ddMuiV6Themes ? 'defined' : 'missing');
  out('dark', window.matchMedia('(prefers-color-scheme: dark)').matches ? 'yes' : 'no');
  if (checks.has('basics')) {
    dd.docker.listContainers({ all: true }).then((l) => out('containers', Array.isArray(l) ? 'list' : typeof l), fail('containers'));
    dd.docker.listImages().then((l) => out('images', Array.isArray(l) && l.length > 0 ? 'list' : 'empty'), fail('images'));
    dd.docker.cli.exec('version', ['--format', '"{{json .Server.Os}}"']).then((r) => out('engine-os', r.parseJsonObject()), fail('engine-os'));
    dd.docker.cli.exec('inspect', ['no-such-thing-berth']).then(() => out('exec-fail', 'resolved'), (e) => out('exec-fail', `code ${e.code}`));
  }
  if (checks.has('toast')) dd.desktopUI.toast.success('Hello from the extension');
  if (checks.has('stream')) {
    let lines = 0;
    window.__stats = dd.docker.cli.exec('stats', ['--format', '{{.Name}}'], {
      stream: {
        splitOutputLines: true,
        // docker stats clears the screen before each table (ESC[2J ESC[H), as in a terminal.
        onOutput: (d) => { if (d.stdout !== undefined && ++lines === 1) out('stats', d.stdout.replace(ANSI, '').trim()); },
        onError: (e) => out('stats-error', String(e)),
        onClose: (code) => out('stats-closed', code),
      },
    });
  }
  if (checks.has('vm')) {
    const svc = dd.extension.vm.service;
    svc.get('/hello').then((r) => out('vm-hello', JSON.stringify(r)), fail('vm-hello'));
    svc.post('/echo', { a: 1 }).then((r) => out('vm-echo', JSON.stringify(r)), fail('vm-echo'));
    svc.get('/fail').then(() => out('vm-fail', 'resolved'), (e) => out('vm-fail', `${e.statusCode} ${e.message}`));
    dd.extension.vm.cli.exec('cat', ['/etc/berth-release']).then((r) => out('vm-exec', r.stdout.trim()), fail('vm-exec'));
  }
  // A backend that binds Docker Desktop's /var/run/docker.sock.raw asks the engine itself (ext-backend's GET /engine).
  if (checks.has('engine')) dd.extension.vm.service.get('/engine').then((r) => out('vm-engine', r), fail('vm-engine'));
  if (checks.has('host')) {
    dd.extension.host.cli.exec('hello-host', ['"quoted arg"']).then((r) => out('host', r.stdout.trim()), fail('host'));
    dd.extension.host.cli.exec('sh', ['-c', 'id']).then(() => out('host-foreign', 'ran'), (e) => out('host-foreign', `refused: ${e.message}`));
  }
  if (checks.has('v0')) {
    dd.execDockerCmd('version', '--format', '{{.Server.Os}}').then((r) => out('v0-exec', r.stdout.trim()), fail('v0-exec'));
    dd.listContainers().then((l) => out('v0-containers', Array.isArray(l) ? 'list' : typeof l), fail('v0-containers'));
  }
})();
