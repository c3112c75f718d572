#!/usr/bin/env bash
# The fuzzer (schemathesis, from PyPI) in a virtual environment of its own under .infra/,
# made once and reused while its pinned version holds. Prints the path of its `st` command.
# Used by scripts/fuzz and the gateway's fuzz test (services/gateway/test/fuzz.test.ts).
set -euo pipefail
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${FUZZ_VENV:-$root/.infra/fuzz-venv}"
if [[ ! -x "$venv/bin/st" || "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]]; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi
echo "$venv/bin/st"
