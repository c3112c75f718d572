# shellcheck shell=bash
# Prometheus (and promtool), built with `go install` from the prometheus/prometheus module. It
# scrapes the platform's /metrics on loopback: the targets are files in
# .infra/data/prometheus/targets/ (file-based discovery), `local.json` for the ports scripts/up
# uses; a test may drop its own file there. The recording rules and alerts are the chart's
# (deploy/helm/assistant-platform/rules/), so what runs here is what ships.
# Without the React UI (it is built by `make assets`, not by `go install`): the HTTP API and
# /graph's fallback page only, which is all the portal and the tests use.

prometheus_install() {
  if [[ -x "$INFRA_BIN/prometheus" && -x "$INFRA_BIN/promtool" && "$(installed_version prometheus)" == "$PROMETHEUS_VERSION" ]]; then
    return 0
  fi
  require_go prometheus || return 1
  local module=github.com/prometheus/prometheus log="$INFRA_LOGS/prometheus-build.log"
  say "building prometheus and promtool ($module@$PROMETHEUS_VERSION) with go install; the first build takes several minutes"
  if ! GOBIN="$INFRA_BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install \
    "$module/cmd/prometheus@$PROMETHEUS_VERSION" "$module/cmd/promtool@$PROMETHEUS_VERSION" >"$log" 2>&1; then
    log_tail "$log" 30
    fail "go install $module@$PROMETHEUS_VERSION failed (log: $log): is the Go module proxy reachable?"
    return 1
  fi
  mark_installed prometheus "$PROMETHEUS_VERSION"
}

PROMETHEUS_RULES="$INFRA_ROOT/deploy/helm/assistant-platform/rules"

# The configuration, written on every start: scrape every 5 s, rules evaluated as often.
prometheus_config() {
  local data="$1"
  mkdir -p "$data/targets"
  cat >"$data/targets/local.json" <<JSON
[
  { "targets": ["$INFRA_HOST:${GATEWAY_PORT:-3000}"], "labels": { "app": "gateway" } },
  { "targets": ["$INFRA_HOST:${ASSISTANTS_PORT:-3001}"], "labels": { "app": "assistants" } },
  { "targets": ["$INFRA_HOST:${SESSIONS_PORT:-3002}"], "labels": { "app": "sessions" } },
  { "targets": ["$INFRA_HOST:${LLM_WORKER_METRICS_PORT:-9464}"], "labels": { "app": "llm-worker" } }
]
JSON
  cat >"$data/prometheus.yml" <<YAML
# Written by scripts/infra (lib/prometheus.sh) at each start; edits are lost.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $PROMETHEUS_RULES/*.yml
scrape_configs:
  - job_name: assistant-platform
    metrics_path: /metrics
    file_sd_configs:
      - files: ['$data/targets/*.json']
        refresh_interval: 5s
  - job_name: prometheus
    static_configs:
      - targets: ['$INFRA_HOST:$PROMETHEUS_PORT']
YAML
}

prometheus_ready() { curl -sf -o /dev/null "http://$INFRA_HOST:$PROMETHEUS_PORT/-/ready"; }

prometheus_up() {
  prometheus_install || return 1
  local data="$INFRA_DATA/prometheus" log="$INFRA_LOGS/prometheus.log"
  if prometheus_ready; then
    pid_alive prometheus && return 0
    not_ours prometheus "$PROMETHEUS_PORT"
    return 1
  fi
  if pid_alive prometheus; then stop_daemon prometheus 10; fi
  prometheus_config "$data"
  say "prometheus: starting on $INFRA_HOST:$PROMETHEUS_PORT"
  start_daemon prometheus "$log" "$INFRA_BIN/prometheus" --config.file="$data/prometheus.yml" \
    --storage.tsdb.path="$data/tsdb" --storage.tsdb.retention.time=7d \
    --web.listen-address="$INFRA_HOST:$PROMETHEUS_PORT" --web.enable-lifecycle --log.level=warn
  if ! wait_for_daemon prometheus 60 prometheus_ready; then
    log_tail "$log"
    fail "prometheus: not ready on $INFRA_HOST:$PROMETHEUS_PORT within 60s (log: $log); is the port taken? (INFRA_PROMETHEUS_PORT changes it)"
  fi
}

prometheus_down() { stop_daemon prometheus 15; }

prometheus_status() {
  if prometheus_ready && pid_alive prometheus; then
    echo "up    $INFRA_HOST:$PROMETHEUS_PORT  Prometheus $(installed_version prometheus)  (targets: $INFRA_DATA/prometheus/targets/)"
  else echo "down"; fi
}

prometheus_env() { echo "PROMETHEUS_URL=http://$INFRA_HOST:$PROMETHEUS_PORT"; }
