# shellcheck shell=bash
# The browser of the portal's end-to-end tests: Debian's chromium package, driven by Playwright
# through `executablePath` (Playwright's own browser download is never used). Installed once with
# apt-get (as root, or with sudo) when missing. CHROMIUM_PATH points elsewhere to use another.

ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [[ -x "$path" ]]; then
    export CHROMIUM_PATH="$path"
    return 0
  fi
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "browser: $path is missing and installing it needs root: apt-get install chromium" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  step "installing Chromium for the portal's browser tests (apt-get install chromium)"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    chromium fonts-dejavu-core >/dev/null || return 1
  export CHROMIUM_PATH="$path"
}
