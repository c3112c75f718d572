# shellcheck shell=bash
# The platform's own processes (the mock LLM, the services) started by scripts/up: detached,
# logging to .infra/logs/NAME.log, pid in .infra/run/NAME.pid, health-checked over HTTP.

SERVICES_RUN="$WORKSPACE_ROOT/.infra/run"
SERVICES_LOGS="$WORKSPACE_ROOT/.infra/logs"

# start_node_service NAME HEALTH_URL SCRIPT [ENV=VALUE...]: idempotent.
start_node_service() {
  local name="$1" health="$2" script="$3"
  shift 3
  mkdir -p "$SERVICES_RUN" "$SERVICES_LOGS"
  if curl -sf -o /dev/null "$health"; then
    echo "$name: already up ($health)" >&2
    return 0
  fi
  env "$@" setsid nohup node "$WORKSPACE_ROOT/$script" >>"$SERVICES_LOGS/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$SERVICES_RUN/$name.pid"
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$health" && { echo "$name: up ($health)" >&2; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  tail -n 20 "$SERVICES_LOGS/$name.log" >&2
  echo "$name did not become healthy at $health (log: .infra/logs/$name.log)" >&2
  return 1
}

# start_node_process NAME READY_TEXT SCRIPT [ENV=VALUE...]: for a process without an HTTP port
# (the llm-worker): ready when its log shows READY_TEXT. Idempotent by its pid file.
start_node_process() {
  local name="$1" ready="$2" script="$3"
  shift 3
  mkdir -p "$SERVICES_RUN" "$SERVICES_LOGS"
  local file="$SERVICES_RUN/$name.pid"
  if [[ -f "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null; then
    echo "$name: already running (pid $(cat "$file"))" >&2
    return 0
  fi
  local log="$SERVICES_LOGS/$name.log" from
  touch "$log"
  from=$(($(wc -l <"$log") + 1))
  env "$@" setsid nohup node "$WORKSPACE_ROOT/$script" >>"$log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$file"
  for _ in $(seq 1 120); do
    tail -n +"$from" "$log" 2>/dev/null | grep -q "$ready" && { echo "$name: up (pid $pid)" >&2; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  tail -n 20 "$log" >&2
  echo "$name did not start (log: .infra/logs/$name.log)" >&2
  return 1
}

stop_node_service() {
  local name="$1" file="$SERVICES_RUN/$1.pid" pid
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Local development secrets (internal service tokens, the payload codec's key ring, the turn
# vault's key), made once and kept in .infra/. A file from before TURN_VAULT_KEY (it had
# SESSIONS_VAULT_KEY instead) is brought up to date: that line goes, a new TURN_VAULT_KEY comes
# (the vault holds nothing for longer than a turn), the other secrets stay.
ensure_local_secrets() {
  local file="$WORKSPACE_ROOT/.infra/secrets.env"
  if [[ -f "$file" ]] && ! grep -q '^TURN_VAULT_KEY=' "$file"; then
    (
      umask 077
      grep -v '^SESSIONS_VAULT_KEY=' "$file" >"$file.new" || true
      node -e 'console.log(`TURN_VAULT_KEY=${require("crypto").randomBytes(32).toString("base64")}`)' >>"$file.new"
      mv "$file.new" "$file"
    )
  fi
  if [[ ! -f "$file" ]]; then
    (
      umask 077
      node -e 'const { randomBytes } = require("crypto"); const r = () => randomBytes(24).toString("hex");
        const k = () => randomBytes(32).toString("base64");
        console.log([`GATEWAY_INTERNAL_TOKEN=${r()}`, `SESSIONS_INTERNAL_TOKEN=${r()}`,
          `PAYLOAD_KEYS=local1:${k()}`, `TURN_VAULT_KEY=${k()}`].join("\n"))' >"$file"
    )
  fi
  # shellcheck disable=SC1090
  set -a && source "$file" && set +a
}
