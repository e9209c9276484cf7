#!/usr/bin/env bash
# openapi.yaml reused by other languages, as their users would:
#   1. TypeScript: openapi-typescript generates the types, `tsc --strict` checks
#      scripts/reuse/usage.ts against them (including an expected error).
#   2. Python: openapi-python-client generates a client, which creates and lists
#      subscriptions on the simulator (started here on 127.0.0.1) and is refused without
#      credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh

install_node_tools
install_python_tools

echo "==> TypeScript: openapi-typescript ${OPENAPI_TYPESCRIPT_VERSION}, tsc ${TYPESCRIPT_VERSION}"
TS="$TOOLS/ts"
rm -rf "$TS" && mkdir -p "$TS"
"$NODE_DIR/node_modules/.bin/openapi-typescript" openapi.yaml -o "$TS/api.d.ts"
cp scripts/reuse/usage.ts "$TS/usage.ts"
"$NODE_DIR/node_modules/.bin/tsc" --noEmit --strict --target es2020 --module commonjs "$TS/usage.ts"
echo "typescript: usage.ts type-checks against the generated types"

echo "==> Python: openapi-python-client ${PYTHON_CLIENT_VERSION}"
PY="$TOOLS/python"
rm -rf "$PY" && mkdir -p "$PY"
"$VENV/bin/openapi-python-client" generate --path openapi.yaml --meta none \
  --config scripts/reuse/python-client.yaml --output-path "$PY/thulium_client"

cargo build --quiet --locked -p thulium-webhooks-cli
simulator_log="$TOOLS/simulator.log"
./target/debug/thulium-webhooks --json simulator > "$simulator_log" 2>&1 &
simulator=$!
trap 'kill $simulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q base_url "$simulator_log" && break
  sleep 0.05
done
base_url=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["base_url"])' "$simulator_log")
PYTHONPATH="$PY" "$VENV/bin/python" scripts/reuse/use_client.py "$base_url"
echo "reuse: passed"
