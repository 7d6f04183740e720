/**
 * The start of every `docker-credential-berth` launcher on macOS and Linux (bash; the checkout's
 * electron/bin/docker-credential-berth carries the same lines, a test keeps them equal): the service path, then the
 * keyring path below.
 *
 * The service path. For `get` and `list`, which
 * the docker CLI runs on every pull and build, it asks the running Berth host process (its service file
 * `$BERTH_HOME/run/credential-helper`, electron/src/host/credentials/helper-service.ts) over loopback TCP, which bash
 * speaks through /dev/tcp, so the CLI waits for a bash start instead of a Node start. The service reads the secret
 * from the OS keychain on each request, as the Node helper does. No service file, nobody listening, a wrong token or
 * any reply that is not the service's: the launcher goes on to the lines after these (the Node helper), with the
 * input it read put back on stdin. LC_ALL=C while it talks: `${#input}` counts bytes and bytes pass as they are.
 */
export const CREDENTIAL_HELPER_SERVICE_PATH = `if [[ $# -eq 1 && ( $1 == get || $1 == list ) ]] \\
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

/**
 * The keyring path: `get` with no Berth running, on Linux, without starting Node. When libsecret's `secret-tool`
 * (Debian's libsecret-tools) is on PATH and a session bus is named, bash reads Berth's index
 * (`$BERTH_HOME/credentials.json`, as CredentialIndex writes it: JSON.stringify with two-space indent, parsed here
 * line by line) and the secret with `secret-tool lookup` on the attributes `@napi-rs/keyring` gives the item
 * (`service` and `username` = the credentialKey of the server URL). It answers only what it can
 * answer byte for byte as the Node helper would: the server URL, user name and secret all printable ASCII with nothing
 * Go's JSON encoder escapes (`"`, `\`, `<`, `>`, `&`), and an index in exactly that layout; an unknown server is
 * `credentials not found in native keychain` (exit 1) from the index alone, as in RegistryCredentials.find. Anything
 * else (another layout, another character, secret-tool failing or finding nothing for a listed login, a keychain
 * that needs unlocking and says so) goes on to the Node helper, input put back, which answers with its own words.
 */
export const CREDENTIAL_HELPER_KEYRING_PATH = `if [[ $# -eq 1 && $1 == get && \${DBUS_SESSION_BUS_ADDRESS-} && \${BERTH_HOME-\${HOME-}} ]] && hash secret-tool 2>/dev/null; then
  berth_keyring_get() {
    local url=$1 key host file k u has_u field_comma end_comma found= user= has_user= secret i=3 n
    local -a lines=()
    local unsafe='*[![:print:]]*' escaped='*["\\\\<>&]*' re_key='^    "([^"\\\\]*)": \\{$' re_field='^      "([^"\\\\]*)": "([^"\\\\]*)"(,?)$' re_end='^    \\}(,?)$'
    [[ $url == *[![:print:][:space:]]* ]] && return 1
    url=\${url#"\${url%%[![:space:]]*}"} url=\${url%"\${url##*[![:space:]]}"}
    [[ $url && $url != $unsafe && $url != $escaped ]] || return 1
    key=$url
    if [[ $key =~ ^[A-Za-z][A-Za-z0-9+.-]*:// ]]; then key=\${key:\${#BASH_REMATCH[0]}}; fi
    key=\${key%"\${key##*[!/]}"} host=\${key%%/*}
    key=\${host,,}\${key:\${#host}}
    file=\${BERTH_HOME-$HOME/.berth}/credentials.json
    if [[ -e $file ]]; then
      [[ -f $file && -r $file ]] && mapfile -t lines < "$file" || return 1
      n=\${#lines[@]}
      [[ \${lines[0]-} == '{' && \${lines[1]-} == '  "version": 1,' ]] || return 1
      if [[ \${lines[2]-} == '  "registries": {}' ]]; then
        [[ \${lines[3]-} == '}' && $n -eq 4 ]] || return 1
      else
        [[ \${lines[2]-} == '  "registries": {' ]] || return 1
        while [[ \${lines[i]-} != '  }' ]]; do
          [[ \${lines[i]-} =~ $re_key ]] || return 1
          k=\${BASH_REMATCH[1]} u= has_u= field_comma=, i=$((i + 1))
          while [[ \${lines[i]-} =~ $re_field ]]; do
            [[ $field_comma ]] || return 1
            if [[ \${BASH_REMATCH[1]} == username ]]; then u=\${BASH_REMATCH[2]} has_u=1; fi
            field_comma=\${BASH_REMATCH[3]} i=$((i + 1))
          done
          [[ ! $field_comma && \${lines[i]-} =~ $re_end ]] || return 1
          end_comma=\${BASH_REMATCH[1]} i=$((i + 1))
          [[ ( $end_comma && \${lines[i]-} != '  }' ) || ( ! $end_comma && \${lines[i]-} == '  }' ) ]] || return 1
          if [[ $k == "$key" ]]; then found=1 user=$u has_user=$has_u; fi
        done
        [[ \${lines[i + 1]-} == '}' && $n -eq $((i + 2)) ]] || return 1
      fi
    fi
    if [[ ! $found ]]; then
      printf 'credentials not found in native keychain\\n'
      exit 1
    fi
    [[ $has_user && $user != $unsafe && $user != $escaped ]] || return 1
    secret=$(secret-tool lookup service docker-credential-berth username "$key" 2>/dev/null && printf .) || return 1
    secret=\${secret%.}
    [[ $secret != $unsafe && $secret != $escaped ]] || return 1
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$url" "$user" "$secret"
    exit 0
  }
  had_lc_all=\${LC_ALL+1} lc_all=\${LC_ALL-} LC_ALL=C input=
  IFS= read -r -d '' input
  berth_keyring_get "$input"
  exec 0<<<"$input"
  if [[ $had_lc_all ]]; then LC_ALL=$lc_all; else unset LC_ALL; fi
fi
`;

/** Both, in the order the launchers run them. */
export const CREDENTIAL_HELPER_FAST_PATH = CREDENTIAL_HELPER_SERVICE_PATH + CREDENTIAL_HELPER_KEYRING_PATH;
