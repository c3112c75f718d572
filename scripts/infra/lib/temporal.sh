# shellcheck shell=bash
# The Temporal dev server (temporalio/cli, built with `go install`), persisted in SQLite, in WAL
# mode with synchronous=NORMAL (decision 0015: a third less server CPU per turn; a committed
# write survives the process being killed, only an OS crash may lose the last ones).

temporal_install() { go_install temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"; }

temporal_ready() {
  "$INFRA_BIN/temporal" operator cluster health --address "$INFRA_HOST:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING \
    && "$INFRA_BIN/temporal" operator namespace describe --address "$INFRA_HOST:$TEMPORAL_PORT" -n default >/dev/null 2>&1
}

temporal_up() {
  temporal_install || return 1
  if temporal_ready; then
    pid_alive temporal && return 0
    not_ours temporal "$TEMPORAL_PORT"
    return 1
  fi
  local data="$INFRA_DATA/temporal" log="$INFRA_LOGS/temporal.log"
  mkdir -p "$data"
  if pid_alive temporal; then stop_daemon temporal 10; fi
  say "temporal: starting the dev server on $INFRA_HOST:$TEMPORAL_PORT (UI on :$TEMPORAL_UI_PORT)"
  start_daemon temporal "$log" "$INFRA_BIN/temporal" server start-dev \
    --ip "$INFRA_HOST" --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$data/temporal.db" --log-level warn --namespace default \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
  if ! wait_for_daemon temporal 90 temporal_ready; then
    log_tail "$log"
    fail "temporal: not serving on $INFRA_HOST:$TEMPORAL_PORT within 90s (log: $log); is the port taken? (INFRA_TEMPORAL_PORT changes it)"
  fi
}

temporal_down() { stop_daemon temporal 20; }

temporal_status() {
  if temporal_ready && pid_alive temporal; then
    echo "up    $INFRA_HOST:$TEMPORAL_PORT  Temporal CLI $(installed_version temporal) dev server (UI http://$INFRA_HOST:$TEMPORAL_UI_PORT)"
  else echo "down"; fi
}

temporal_env() {
  echo "TEMPORAL_ADDRESS=$INFRA_HOST:$TEMPORAL_PORT"
  echo "TEMPORAL_NAMESPACE=default"
}
