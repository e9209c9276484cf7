# Pinned spec tools, installed on demand under target/spec-tools (ignored by git).
# Sourced by spec-check.sh and reuse.sh.
REDOCLY_VERSION=2.77.0
OPENAPI_TYPESCRIPT_VERSION=7.13.0
TYPESCRIPT_VERSION=5.9.3
SPEC_VALIDATOR_VERSION=0.9.0
PYTHON_CLIENT_VERSION=0.29.1

TOOLS="$PWD/target/spec-tools"
VENV="$TOOLS/venv"
NODE_DIR="$TOOLS/node"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

install_node_tools() {
  mkdir -p "$NODE_DIR"
  if [ ! -x "$NODE_DIR/node_modules/.bin/redocly" ] || [ ! -x "$NODE_DIR/node_modules/.bin/tsc" ]; then
    echo "==> npm install (redocly, openapi-typescript, typescript)"
    (cd "$NODE_DIR" && [ -f package.json ] || echo '{"private":true}' > "$NODE_DIR/package.json")
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
      "@redocly/cli@${REDOCLY_VERSION}" "openapi-typescript@${OPENAPI_TYPESCRIPT_VERSION}" "typescript@${TYPESCRIPT_VERSION}"
  fi
}

install_python_tools() {
  if [ ! -x "$VENV/bin/openapi-python-client" ] || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
    echo "==> pip install (openapi-spec-validator, openapi-python-client)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "openapi-spec-validator==${SPEC_VALIDATOR_VERSION}" "openapi-python-client==${PYTHON_CLIENT_VERSION}"
  fi
}

redocly() { "$NODE_DIR/node_modules/.bin/redocly" "$@"; }
