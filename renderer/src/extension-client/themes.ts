// The MUI theme options Docker's @docker/docker-mui-theme reads from window.__ddMuiV5Themes / __ddMuiV6Themes
// (0.0.13 crashes without them). Berth's own palette, with the `docker` colour scales extensions use.
type Scale = Record<100 | 200 | 300 | 400 | 500 | 600 | 700 | 800, string>;

const scale = (c: string[]): Scale => ({ 100: c[0]!, 200: c[1]!, 300: c[2]!, 400: c[3]!, 500: c[4]!, 600: c[5]!, 700: c[6]!, 800: c[7]! });

const docker = {
  amber: scale(['#fff4d6', '#ffe4a3', '#ffd06b', '#f8b634', '#e69b00', '#b87900', '#8a5a00', '#5c3c00']),
  blue: scale(['#e3edff', '#bcd3ff', '#8db4ff', '#5c93fb', '#2f74f0', '#1d5fd1', '#1748a3', '#103275']),
  green: scale(['#dcf7e6', '#b0ecc6', '#7ddda1', '#45c679', '#1ea95b', '#128646', '#0d6535', '#084524']),
  grey: scale(['#f4f5f7', '#e3e5e9', '#c9cdd4', '#a3a9b3', '#7c838f', '#5b626d', '#3f454e', '#262a31']),
  red: scale(['#fde4e4', '#f9bcbc', '#f28d8d', '#e85d5d', '#d63a3a', '#b02727', '#851c1c', '#5a1212']),
  violet: scale(['#efe6ff', '#d9c6ff', '#bd9dff', '#9f72fb', '#8450ee', '#6a39cc', '#512b9e', '#381d70']),
};

const typography = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSize: 14 };

function options(mode: 'light' | 'dark') {
  const dark = mode === 'dark';
  return {
    palette: {
      mode,
      primary: { main: dark ? docker.blue[300] : docker.blue[500] },
      secondary: { main: docker.violet[dark ? 300 : 500] },
      error: { main: docker.red[dark ? 300 : 500] },
      warning: { main: docker.amber[dark ? 300 : 500] },
      success: { main: docker.green[dark ? 300 : 500] },
      background: { default: dark ? '#1b1e23' : '#ffffff', paper: dark ? '#23272e' : '#f7f8fa' },
      text: { primary: dark ? '#e8eaee' : '#1f2328', secondary: dark ? '#a3a9b3' : '#5b626d' },
      docker,
    },
    typography,
    shape: { borderRadius: 4 },
  };
}

export const themeBag = { light: options('light'), dark: options('dark') };
