#!/usr/bin/env bash
# The official openai Python SDK and LangChain's langchain-openai (from PyPI) in a virtual
# environment of its own under the infrastructure directory, made once and reused while their
# pinned versions hold. Prints the path of its `python`. Used by the gateway's
# OpenAI-compatibility test (services/gateway/test/openai-compat.test.ts), which runs
# test/python/openai_sdk_check.py and test/python/langchain_check.py with it.
set -euo pipefail
OPENAI_PYTHON_VERSION="${OPENAI_PYTHON_VERSION:-3.51.0}"
LANGCHAIN_OPENAI_VERSION="${LANGCHAIN_OPENAI_VERSION:-1.8.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${OPENAI_PYTHON_VENV:-${INFRA_HOME:-$root/.infra}/openai-python-venv}"
installed() {
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openai"), m.version("langchain-openai"))' 2>/dev/null
}
if [[ ! -x "$venv/bin/python" || "$(installed)" != "$OPENAI_PYTHON_VERSION $LANGCHAIN_OPENAI_VERSION" ]]; then
  echo "openai-python: installing openai $OPENAI_PYTHON_VERSION and langchain-openai $LANGCHAIN_OPENAI_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "openai==$OPENAI_PYTHON_VERSION" "langchain-openai==$LANGCHAIN_OPENAI_VERSION" >&2
fi
echo "$venv/bin/python"
