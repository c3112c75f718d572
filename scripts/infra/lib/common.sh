# shellcheck shell=bash
# Shared paths, ports, versions and helpers of scripts/infra. Everything listens on loopback;
# installs, data, logs and pid files live under .infra/ (git-ignored) so a second run reuses them.

INFRA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
INFRA_HOME="${INFRA_HOME:-$INFRA_ROOT/.infra}"
INFRA_BIN="$INFRA_HOME/bin"
INFRA_DATA="$INFRA_HOME/data"
INFRA_LOGS="$INFRA_HOME/logs"
INFRA_RUN="$INFRA_HOME/run"
INFRA_VERSIONS="$INFRA_HOME/versions"
INFRA_HOST=127.0.0.1

# Ports: the project's own, away from the usual defaults so a system service never clashes.
PG_PORT="${INFRA_PG_PORT:-15432}"
REDIS_PORT="${INFRA_REDIS_PORT:-16379}"
TEMPORAL_PORT="${INFRA_TEMPORAL_PORT:-17233}"
TEMPORAL_UI_PORT="${INFRA_TEMPORAL_UI_PORT:-18233}"
KAFKA_PORT="${INFRA_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${INFRA_KAFKA_CONTROLLER_PORT:-19093}"
S3_PORT="${INFRA_S3_PORT:-19000}"
PROMETHEUS_PORT="${INFRA_PROMETHEUS_PORT:-19090}"

# Versions installed (see docs/decisions/0002-local-infrastructure-without-docker.md).
TEMPORAL_CLI_VERSION="v1.5.1"
KAFKA_VERSION="3.9.2"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
PROMETHEUS_VERSION="v0.316.0"

# Credentials of the local, loopback-only components. Not secrets: nothing else can reach them.
PG_USER=lab
PG_PASSWORD=lab
PG_DATABASE=lab
S3_ACCESS_KEY=lab-access-key
S3_SECRET_KEY=lab-secret-key-local-only
S3_BUCKET=lab
S3_REGION=us-east-1

INFRA_COMPONENTS=(postgres redis temporal kafka s3 prometheus)

mkdir -p "$INFRA_BIN" "$INFRA_DATA" "$INFRA_LOGS" "$INFRA_RUN" "$INFRA_VERSIONS"

say() { printf '[infra] %s\n' "$*" >&2; }
fail() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  return 1
}

# The installed version marker of a component, so installs happen once per version.
installed_version() { cat "$INFRA_VERSIONS/$1" 2>/dev/null || true; }
mark_installed() { echo "$2" >"$INFRA_VERSIONS/$1"; }

pidfile() { echo "$INFRA_RUN/$1.pid"; }

pid_alive() {
  local file
  file="$(pidfile "$1")"
  [[ -f "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/$INFRA_HOST/$1") 2>/dev/null; }

# wait_until TIMEOUT_SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local timeout="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.25
  done
}

# wait_for_daemon NAME TIMEOUT_SECONDS CHECK: waits for CHECK, giving up early if the process died.
wait_for_daemon() {
  local name="$1" timeout="$2" check="$3"
  local deadline=$((SECONDS + timeout))
  until "$check" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      say "$name exited during start-up"
      return 1
    fi
    ((SECONDS >= deadline)) && return 1
    sleep 0.25
  done
}

# start_daemon NAME LOGFILE COMMAND...: runs COMMAND detached in its own session, records its pid.
start_daemon() {
  local name="$1" log="$2"
  shift 2
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# stop_daemon NAME [GRACE_SECONDS]: SIGTERM, then SIGKILL after the grace period.
stop_daemon() {
  local name="$1" grace="${2:-20}" file pid
  file="$(pidfile "$name")"
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

# not_ours NAME PORT: the message for a port that answers but is not this checkout's server.
not_ours() {
  fail "$1: something else answers on $INFRA_HOST:$2 (another checkout's infrastructure, or a system service); stop it (its scripts/infra/infra down) or choose another port with the INFRA_*_PORT variables"
}

log_tail() { tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/    | /' >&2; }

# as_root COMMAND...: runs a package-manager command as root (directly, or through sudo).
as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need root to run '$*' (no sudo found)"
  fi
}

APT_UPDATED=0
# apt_install PACKAGE...: installs Debian packages without starting their system services.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: install $* with your OS package manager" || return 1
  say "installing Debian packages: $*"
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e "$policy" ]]; then
    # Keep the packages' own services (port 5432, 6379) from starting: we run our own instances.
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && created_policy=1
  fi
  if ((APT_UPDATED == 0)); then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$INFRA_LOGS/apt.log" 2>&1 || say "apt-get update failed; trying the install anyway"
    APT_UPDATED=1
  fi
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
    >>"$INFRA_LOGS/apt.log" 2>&1 || rc=$?
  ((rc == 0)) || log_tail "$INFRA_LOGS/apt.log" 20
  ((created_policy)) && as_root rm -f "$policy"
  ((rc == 0)) || fail "apt-get install $* failed (exit $rc): check the Debian package sources (apt-get update) and retry"
}

require_go() {
  command -v go >/dev/null 2>&1 || fail "the Go toolchain (1.23 or newer) is needed to build $1: install Go and retry" || return 1
  local v
  v="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  if [[ "$(printf '%s\n' "1.23" "$v" | sort -V | head -n1)" != "1.23" ]]; then
    fail "Go $v is too old to build $1 (need 1.23+): install a newer Go and retry"
  fi
}

# go_install NAME MODULE@VERSION: builds a Go command into .infra/bin, once per version.
go_install() {
  local name="$1" module="$2" version="$3"
  if [[ -x "$INFRA_BIN/$name" && "$(installed_version "$name")" == "$version" ]]; then
    return 0
  fi
  require_go "$name" || return 1
  say "building $name ($module@$version) with go install; the first build takes several minutes"
  local log="$INFRA_LOGS/$name-build.log"
  if ! GOBIN="$INFRA_BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "$module@$version" >"$log" 2>&1; then
    log_tail "$log" 30
    fail "go install $module@$version failed (log: $log): is the Go module proxy reachable?"
    return 1
  fi
  mark_installed "$name" "$version"
}
