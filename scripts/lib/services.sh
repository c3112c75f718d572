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

# Local development secrets (internal tokens, keys), made once and kept in .infra/secrets.env.
# A secret missing from an older file is added; existing ones are never changed (data at rest
# depends on them), except the tokens from before they carried their prefix (labint_, labadm_):
# nothing at rest depends on those, so they are made anew.
ensure_local_secrets() {
  local file="$WORKSPACE_ROOT/.infra/secrets.env"
  (
    umask 077
    touch "$file"
    grep -v '^SESSIONS_VAULT_KEY=' "$file" >"$file.new" || true
    FILE="$file.new" node -e '
      const { randomBytes } = require("crypto");
      const fs = require("fs");
      const prefixes = { GATEWAY_INTERNAL_TOKEN: "labint_", SESSIONS_INTERNAL_TOKEN: "labint_", ADMIN_TOKEN: "labadm_" };
      const lines = fs.readFileSync(process.env.FILE, "utf8").split("\n").filter((l) => {
        const [name, ...rest] = l.split("=");
        return !(name in prefixes) || rest.join("=").startsWith(prefixes[name]);
      });
      fs.writeFileSync(process.env.FILE, lines.join("\n"));
      const have = new Set(lines.map((l) => l.split("=")[0]));
      const token = () => randomBytes(24).toString("hex");
      const internal = () => `labint_${token()}`;
      const key = () => randomBytes(32).toString("base64");
      const wanted = {
        GATEWAY_INTERNAL_TOKEN: internal, SESSIONS_INTERNAL_TOKEN: internal, ADMIN_TOKEN: () => `labadm_${token()}`,
        IDENTITY_SALT: token, PAYLOAD_KEYS: () => `local1:${key()}`, TURN_VAULT_KEY: key,
        MASTER_KEYS: () => `local1:${key()}`, PROMPT_KEYS: () => `local1:${key()}`,
      };
      const added = Object.entries(wanted).filter(([name]) => !have.has(name)).map(([name, make]) => `${name}=${make()}\n`);
      fs.appendFileSync(process.env.FILE, added.join(""));'
    mv "$file.new" "$file"
  )
  # shellcheck disable=SC1090
  set -a && source "$file" && set +a
}
