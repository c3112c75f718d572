#!/usr/bin/env bash
# The official openai Python SDK (from PyPI) in a virtual environment of its own under the
# infrastructure directory, made once and reused while its pinned version holds. Prints the path
# of its `python`. Used by the gateway's OpenAI-compatibility test (services/gateway/test/
# openai-compat.test.ts), which runs test/python/openai_sdk_check.py with it.
set -euo pipefail
OPENAI_PYTHON_VERSION="${OPENAI_PYTHON_VERSION:-3.51.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${OPENAI_PYTHON_VENV:-${INFRA_HOME:-$root/.infra}/openai-python-venv}"
if [[ ! -x "$venv/bin/python" || "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openai"))' 2>/dev/null)" != "$OPENAI_PYTHON_VERSION" ]]; then
  echo "openai-python: installing openai $OPENAI_PYTHON_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openai==$OPENAI_PYTHON_VERSION" >&2
fi
echo "$venv/bin/python"
