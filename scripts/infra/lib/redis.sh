# shellcheck shell=bash
# Redis from Debian's packages, run with the project's own port, data directory and pid file.

redis_install() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server redis-tools || return 1
  fi
  mark_installed redis "$(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/')"
}

redis_ready() { [[ "$(redis-cli -h "$INFRA_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

redis_up() {
  redis_install || return 1
  if redis_ready; then
    pid_alive redis && return 0
    not_ours redis "$REDIS_PORT"
    return 1
  fi
  local data="$INFRA_DATA/redis" log="$INFRA_LOGS/redis.log"
  mkdir -p "$data"
  say "redis: starting on $INFRA_HOST:$REDIS_PORT"
  start_daemon redis "$log" redis-server --bind "$INFRA_HOST" --port "$REDIS_PORT" --dir "$data" \
    --save "" --appendonly no --protected-mode yes --daemonize no
  if ! wait_for_daemon redis 20 redis_ready; then
    log_tail "$log"
    fail "redis: no PONG on $INFRA_HOST:$REDIS_PORT within 20s (log: $log); is the port taken? (INFRA_REDIS_PORT changes it)"
  fi
}

redis_down() { stop_daemon redis 10; }

redis_status() {
  if redis_ready && pid_alive redis; then echo "up    $INFRA_HOST:$REDIS_PORT  Redis $(installed_version redis)"; else echo "down"; fi
}

redis_env() { echo "REDIS_URL=redis://$INFRA_HOST:$REDIS_PORT"; }
