#!/usr/bin/env bash
# The spec's quality gates, with pinned tools installed under target/spec-tools:
#   1. openapi-spec-validator (OpenAPI 3.0 schema)
#   2. Redocly CLI lint with its recommended rules: 0 errors and 0 warnings
# (Every example validating against its schema is checked by `cargo test`, tests/spec.rs.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh

install_node_tools
install_python_tools

echo "==> openapi-spec-validator ${SPEC_VALIDATOR_VERSION}"
"$VENV/bin/openapi-spec-validator" --schema 3.0 openapi.yaml

echo "==> redocly lint ${REDOCLY_VERSION} (recommended rules; warnings fail)"
redocly lint --max-problems 50 openapi.yaml 2>&1 | tee "$TOOLS/redocly.log" | grep -v -e '^ *║' -e '^ *╔' -e '^ *╚' || true
if ! grep -q "Your API description is valid" "$TOOLS/redocly.log" || grep -qE "You have [0-9]+ warning" "$TOOLS/redocly.log"; then
  echo "redocly lint: errors or warnings (see above)" >&2
  exit 1
fi
echo "spec gates: passed"
