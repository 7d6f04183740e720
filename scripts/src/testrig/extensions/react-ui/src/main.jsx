// The fixture's UI, written as an extension author writes one with Docker's template: React, MUI, the theme
// provider and createDockerDesktopClient(). It calls one API of each kind and lists each result as
// <li data-key="KEY">KEY: VALUE</li> for the e2e test to read.
import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import { createDockerDesktopClient } from '@docker/extension-api-client';
import { DockerMuiThemeProvider } from '@docker/docker-mui-theme';
import CssBaseline from '@mui/material/CssBaseline';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';

const ddClient = createDockerDesktopClient();
// docker stats clears the screen before each table (ESC[2J ESC[H), as in a terminal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
const describe = (e) => `error ${e?.statusCode ?? e?.code ?? ''} ${e?.message ?? e?.stderr ?? JSON.stringify(e)}`;

function useResults() {
  const [results, setResults] = useState([]);
  const put = (key, value) => setResults((r) => [...r.filter(([k]) => k !== key), [key, String(value)]]);
  return [results, put];
}

function App() {
  const theme = useTheme();
  const [results, put] = useResults();
  useEffect(() => {
    ddClient.extension.vm.service.get('/hello').then((r) => put('vm-hello', JSON.stringify(r)), (e) => put('vm-hello', describe(e)));
    ddClient.extension.host.cli.exec('hello-host', ['react']).then((r) => put('host', r.stdout.trim()), (e) => put('host', describe(e)));
    ddClient.docker.cli.exec('ps', ['--format', '"{{json .}}"'])
      .then((r) => put('ps', r.parseJsonLines().map((c) => c.Names).sort().join(',')), (e) => put('ps', describe(e)));
    const seen = new Set();
    const stats = ddClient.docker.cli.exec('stats', ['--format', '{{.Name}}'], {
      stream: {
        splitOutputLines: true,
        onOutput: (d) => {
          const name = d.stdout?.replace(ANSI, '').trim();
          if (name && !seen.has(name)) put('stats', [...seen.add(name)].sort().join(','));
        },
        onError: (e) => put('stats-error', e),
        onClose: (code) => put('stats-closed', code),
      },
    });
    ddClient.desktopUI.toast.success('React extension ready');
    return () => stats.close();
  }, []);
  return (
    <Stack spacing={2} sx={{ p: 3 }}>
      <Typography variant="h3" component="h1">React Extension</Typography>
      <Typography variant="body1" color="text.secondary">Theme: {theme.palette.mode}</Typography>
      <List aria-label="Results">
        {results.map(([k, v]) => <ListItem key={k} data-key={k}>{`${k}: ${v}`}</ListItem>)}
      </List>
    </Stack>
  );
}

createRoot(document.getElementById('root')).render(
  <DockerMuiThemeProvider>
    <CssBaseline />
    <App />
  </DockerMuiThemeProvider>,
);
