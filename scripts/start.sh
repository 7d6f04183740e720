#!/usr/bin/env bash
# Starts Berth: sets up, boots the Berth VM running berthd (building its image the first time), makes the `berth`
# docker context current (plain `docker ps` reaches it), links the bundled docker CLI, Compose and buildx into
# ~/.berth/bin, and serves the dashboard. Ctrl-C stops the dashboard and the VM.
#
#   scripts/start.sh            the VM (QEMU: KVM/HVF/WHPX when the machine has it, else emulation)
#   scripts/start.sh --native   berthd directly on this Linux machine, no VM (extra arguments go to berthd)
#
# BERTH_HOME (default ~/.berth) holds the sockets, the VM disks, settings and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export BERTH_HOME=${BERTH_HOME:-$HOME/.berth}
logs="$BERTH_HOME/logs"
mkdir -p "$BERTH_HOME/run" "$logs"
mode=vm
if [ "${1:-}" = --native ]; then
  mode=native
  shift
elif ! command -v qemu-system-x86_64 >/dev/null && ! command -v qemu-system-aarch64 >/dev/null; then
  echo "berth: QEMU is not installed, so Berth runs berthd natively on this machine (install qemu-system for the VM)." >&2
  mode=native
fi

engine_pid= ui_pid= creds_pid=
cleanup() {
  [ -n "$ui_pid" ] && kill -TERM "$ui_pid" 2>/dev/null
  [ -n "$creds_pid" ] && kill -TERM "$creds_pid" 2>/dev/null
  if [ $mode = vm ]; then
    # Settings → "Keep the engine running when Berth quits": leave the VM up; the next start attaches to it.
    if [ "$(node -e 'try { process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).keepEngineOnQuit === true)) } catch { process.stdout.write("false") }' "$BERTH_HOME/settings.json")" = true ]; then
      echo "berth: the VM keeps running (Settings: keep the engine running); stop it with electron/bin/berth stop" >&2
    else
      electron/bin/berth stop || true
    fi
  elif [ -n "$engine_pid" ]; then
    kill -TERM "$engine_pid" 2>/dev/null
    wait "$engine_pid" 2>/dev/null || true
  fi
}
trap 'cleanup; exit 0' INT TERM

if [ $mode = vm ]; then
  # Exits once `docker` works through ~/.berth/run/docker.sock (and the tools, config.json and the context are set
  # up); the VM keeps running under berth's host process.
  electron/bin/berth start
  sock="$BERTH_HOME/run/docker.sock"
  # The dashboard restarts/resets the VM, shows its stages and usage, and reads berthd's log in the VM, all through
  # the host process's control socket; the host log is that process's own.
  engine_log_args=(--vm-control "$BERTH_HOME/run/berth.sock" --host-log "$logs/host.log")
  use_docker="docker version      (the berth context, now current, points at unix://$sock)"
  stop_hint="Ctrl-C (stops the dashboard and the VM), or: electron/bin/berth stop"
else
  sock="$BERTH_HOME/run/berthd.sock"
  engine_log="$logs/berthd.log"
  engine_log_args=(--engine-log "$engine_log")
  # The user's engine settings (dockerd's daemon.json keys); an empty one to start with.
  [ -f "$BERTH_HOME/daemon.json" ] || echo '{}' > "$BERTH_HOME/daemon.json"
  engine/bin/berthd -H "unix://$sock" --data-root "$BERTH_HOME/engine/data" --exec-root "$BERTH_HOME/run/exec" \
    --pidfile "$BERTH_HOME/run/berthd.pid" --config-file "$BERTH_HOME/daemon.json" "$@" 2>>"$engine_log" &
  engine_pid=$!
  for _ in $(seq 1 100); do
    if curl -sf --unix-socket "$sock" http://berthd/_ping >/dev/null 2>&1; then break; fi
    if ! kill -0 "$engine_pid" 2>/dev/null; then
      echo "berthd failed to start:" >&2
      tail -n 5 "$engine_log" >&2
      wait "$engine_pid" || exit $?
    fi
    sleep 0.1
  done
  # The same host set-up as `berth start`: tools in ~/.berth/bin, config.json, the berth context (at berthd's socket).
  electron/bin/berth setup-host --socket "$sock"
  # What berth daemon does in VM mode: answer docker-credential-berth get, so a pull starts no Node.
  electron/bin/berth credentials serve >>"$logs/host.log" 2>&1 &
  creds_pid=$!
  use_docker="docker version      (the berth context, now current, points at unix://$sock)"
  stop_hint="Ctrl-C"
fi

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
  daemon_json=()
  [ $mode = native ] && daemon_json=(--daemon-json "$BERTH_HOME/daemon.json")
  exec 3< <(electron/bin/berth dashboard --engine "unix://$sock" --print-url "${daemon_json[@]}" \
            "${engine_log_args[@]}" 2>>"$logs/dashboard.log")
  ui_pid=$!
  read -r url <&3 || url="(the dashboard failed to start: see $logs/dashboard.log)"
  ui+="open $url"
fi
cat <<MSG

  Berth is running ($mode). Point docker at it:

      $use_docker

$ui

  Logs: $logs        Stop: $stop_hint

MSG
if [ $mode = native ]; then
  wait "$engine_pid"
else
  # The VM runs under berth's host process; this script stays in the foreground with the dashboard.
  wait "$ui_pid" 2>/dev/null || true
  echo "berth: the dashboard stopped (see $logs/dashboard.log); the VM keeps running: electron/bin/berth stop" >&2
fi
