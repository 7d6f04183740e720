/**
 * The start of every `docker-credential-berth` launcher on macOS and Linux (bash; the checkout's
 * electron/bin/docker-credential-berth carries the same lines, a test keeps them equal). For `get` and `list`, which
 * the docker CLI runs on every pull and build, it asks the running Berth host process (its service file
 * `$BERTH_HOME/run/credential-helper`, electron/src/host/credentials/helper-service.ts) over loopback TCP, which bash
 * speaks through /dev/tcp, so the CLI waits for a bash start instead of a Node start. The service reads the secret
 * from the OS keychain on each request, as the Node helper does. No service file, nobody listening, a wrong token or
 * any reply that is not the service's: the launcher goes on to the lines after these (the Node helper), with the
 * input it read put back on stdin. LC_ALL=C while it talks: `${#input}` counts bytes and bytes pass as they are.
 */
export const CREDENTIAL_HELPER_FAST_PATH = `if [[ $# -eq 1 && ( $1 == get || $1 == list ) ]] \\
  && read -r port token 2>/dev/null < "\${BERTH_HOME:-$HOME/.berth}/run/credential-helper" \\
  && [[ $port =~ ^[0-9]+$ ]] && { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  had_lc_all=\${LC_ALL+1} lc_all=\${LC_ALL-} LC_ALL=C input=
  if [[ $1 == get ]]; then IFS= read -r -d '' input; fi
  printf '%s\\n%s\\n%s\\n%s' "$token" "$1" "\${#input}" "$input" >&3
  if IFS= read -r header <&3 && [[ $header == 'berth-credential-helper 0' || $header == 'berth-credential-helper 1' ]] \\
    && IFS= read -r answer <&3; then
    printf '%s\\n' "$answer"
    exit "\${header##* }"
  fi
  exec 3<&-
  if [[ $1 == get ]]; then exec 0<<<"$input"; fi
  if [[ $had_lc_all ]]; then LC_ALL=$lc_all; else unset LC_ALL; fi
fi
`;
