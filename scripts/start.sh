#!/usr/bin/env bash
# Starts Berth on this machine: sets up, then runs berthd in the foreground with its API on a unix socket.
# Ctrl-C stops it cleanly. BERTH_HOME (default ~/.berth) holds its socket, state and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BERTH_HOME=${BERTH_HOME:-$HOME/.berth}
run="$BERTH_HOME/run" data="$BERTH_HOME/engine" logs="$BERTH_HOME/logs"
mkdir -p "$run" "$data" "$logs"
# The user's engine settings (dockerd's daemon.json keys); an empty one to start with.
[ -f "$BERTH_HOME/daemon.json" ] || echo '{}' > "$BERTH_HOME/daemon.json"
sock="$run/berthd.sock"
log="$logs/berthd.log"
engine/bin/berthd -H "unix://$sock" --data-root "$data/data" --exec-root "$run/exec" \
  --pidfile "$run/berthd.pid" --config-file "$BERTH_HOME/daemon.json" "$@" 2>>"$log" &
pid=$!
ui_pid=
trap 'kill -TERM $pid $ui_pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  if curl -sf --unix-socket "$sock" http://berthd/_ping >/dev/null 2>&1; then break; fi
  if ! kill -0 $pid 2>/dev/null; then
    echo "berthd failed to start:" >&2
    tail -n 5 "$log" >&2
    wait $pid || exit $?
  fi
  sleep 0.1
done
# The dashboard: the Electron app where there is a display and an Electron binary, else the same UI in a
# browser (loopback only, token in the URL).
ui="  Dashboard: "
electron_bin=$(command -v electron || true)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -n "$electron_bin" ]; then
  npx --no-install tsc -p electron/tsconfig.main.json --noEmit false --outDir electron/dist --rootDir electron/src >&2
  DOCKER_HOST="unix://$sock" BERTH_UI_DIR="$PWD/renderer/dist" "$electron_bin" electron/dist/main/index.js >>"$logs/app.log" 2>&1 &
  ui_pid=$!
  ui+="the Berth window (log: $logs/app.log)"
else
  exec 3< <(electron/bin/berth dashboard --engine "unix://$sock" --print-url --daemon-json "$BERTH_HOME/daemon.json" \
            --engine-log "$log" 2>>"$logs/dashboard.log")
  ui_pid=$!
  read -r url <&3 || url="(the dashboard failed to start: see $logs/dashboard.log)"
  ui+="open $url"
fi
cat <<MSG

  Berth engine is running (pid $pid). Point docker at it:

      export DOCKER_HOST=unix://$sock
      docker version

  or keep it as a context:  docker context create berth --docker host=unix://$sock && docker context use berth

$ui

  Logs: $log        Stop: Ctrl-C

MSG
wait $pid
