#!/usr/bin/env bash
# Stoplight Prism, the mock server of the contract tests (tests/contract.rs),
# serving the checked-in OpenAPI fragment openapi/straddle.json.
#
#   bash .ci/prism.sh install   # npm ci: the version pinned in .ci/package-lock.json
#   bash .ci/prism.sh start     # mock on http://127.0.0.1:4010 in the background
#   bash .ci/prism.sh stop      # stop it (does nothing if it is not running)
#   bash .ci/prism.sh status    # is it running?
#
# Then: STRADDLE_PRISM_URL=http://127.0.0.1:4010 cargo test -p straddle-sdk-tests --test contract
#
# Works from any directory. Needs Node.js >= 18.20.1 and npm (the pinned
# @stoplight/prism-cli 5.14.2 is the newest release that runs on Node 20).
# Prism is started with --errors: a response of its own that breaks the
# fragment becomes a 500 instead of being sent. Requests that break the
# fragment (path, method, auth, parameters) are always answered with the
# fragment's 401/422 and an `sl-violations` header, with or without --errors.
#
# Settings (environment): PRISM_SPEC (openapi/straddle.json), PRISM_FLAGS
# (--errors; empty to send examples that break the spec, as the upstream
# description has some), PRISM_HOST (127.0.0.1), PRISM_PORT (4010),
# PRISM_START_TIMEOUT (60 s), PRISM_STATE_DIR (target/prism: pid and log).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_DIR="$ROOT/.ci"
SPEC="${PRISM_SPEC:-$ROOT/openapi/straddle.json}"
PRISM="$CI_DIR/node_modules/@stoplight/prism-cli/dist/index.js"
HOST="${PRISM_HOST:-127.0.0.1}"
PORT="${PRISM_PORT:-4010}"
TIMEOUT="${PRISM_START_TIMEOUT:-60}"
STATE_DIR="${PRISM_STATE_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/prism}"
PID_FILE="$STATE_DIR/prism.pid"
LOG_FILE="$STATE_DIR/prism.log"
URL="http://$HOST:$PORT"

say() { echo "prism.sh: $*" >&2; }

running_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file may name a pid since reused by something else.
  case "$(ps -o args= -p "$pid" 2>/dev/null)" in
    *prism-cli*) echo "$pid" ;;
    *) return 1 ;;
  esac
}

# Any HTTP answer (Prism says 404 for `/`) means the server is up.
answers() {
  curl --silent --output /dev/null --max-time 2 "$URL/" 2>/dev/null
}

install() {
  command -v npm >/dev/null || { say "npm not found: install Node.js >= 18.20.1"; exit 1; }
  npm ci --prefix "$CI_DIR" --no-audit --no-fund --loglevel=error
  say "installed @stoplight/prism-cli $(node "$PRISM" --version)"
}

start() {
  [ -f "$PRISM" ] || { say "Prism is not installed: run \`bash .ci/prism.sh install\` first"; exit 1; }
  command -v curl >/dev/null || { say "curl not found"; exit 1; }
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on $URL"
    exit 0
  fi
  if answers; then
    say "something else already answers on $URL; stop it or set PRISM_PORT"
    exit 1
  fi
  mkdir -p "$STATE_DIR"
  # node runs Prism directly (no npx/shim), so $! is the server's own pid.
  # shellcheck disable=SC2086 # PRISM_FLAGS is a list of flags
  nohup node "$PRISM" mock --host "$HOST" --port "$PORT" ${PRISM_FLAGS---errors} "$SPEC" \
    >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local waited=0
  until answers; do
    if ! running_pid >/dev/null; then
      say "Prism exited while starting; its log ($LOG_FILE):"
      cat "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      exit 1
    fi
    if [ "$waited" -ge $((TIMEOUT * 5)) ]; then
      say "Prism did not answer on $URL within ${TIMEOUT}s; its log ($LOG_FILE):"
      cat "$LOG_FILE" >&2
      stop
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  say "Prism $(node "$PRISM" --version) (pid $(cat "$PID_FILE")) serves ${SPEC#"$ROOT/"} on $URL (log: $LOG_FILE)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop on SIGTERM; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on $URL"
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: bash .ci/prism.sh install|start|stop|status" >&2
    exit 2
    ;;
esac
