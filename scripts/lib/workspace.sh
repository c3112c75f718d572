# shellcheck shell=bash
# Node 24 and the workspace's dependencies, installed once and reused while the lockfile holds.

WORKSPACE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=node.sh
source "$WORKSPACE_ROOT/scripts/lib/node.sh"

export NPM_CONFIG_LOGLEVEL="${NPM_CONFIG_LOGLEVEL:-error}"
export NPM_CONFIG_UPDATE_NOTIFIER=false

step() { printf '\n==> %s\n' "$*" >&2; }

ensure_workspace() {
  ensure_node "$WORKSPACE_ROOT" || return 1
  local marker="$WORKSPACE_ROOT/.infra/npm-ci.sha" want
  want="$(cat "$WORKSPACE_ROOT/package-lock.json" <(node -v) | sha256sum | cut -d' ' -f1)"
  if [[ -d "$WORKSPACE_ROOT/node_modules" && "$(cat "$marker" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  # `npm install` with the committed lockfile installs exactly its versions. Not `npm ci`: the
  # registry reachable here lacks some other platforms' optional binaries (e.g. darwin builds
  # of @swc/core), so the lockfile cannot list them and `npm ci` would refuse it.
  step "installing dependencies (npm install, locked) with Node $(node -v)"
  (cd "$WORKSPACE_ROOT" && npm install --no-audit --no-fund) || return 1
  mkdir -p "$(dirname "$marker")" && echo "$want" >"$marker"
}

build_workspace() {
  step "building (tsc -b, the sessions service's workflow bundle, the portal)"
  (cd "$WORKSPACE_ROOT" && npx tsc -b && node services/sessions/dist/src/turns/bundle-workflows.js) || return 1
  # The portal's build (Vite) prints its initial JavaScript, gzipped, and fails above the budget.
  (cd "$WORKSPACE_ROOT" && npm run --silent build -w @lab/portal | tail -n 1)
}
