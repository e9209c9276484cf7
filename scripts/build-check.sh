#!/usr/bin/env bash
# Build figures for BENCHMARKS.md: how long build.rs code generation takes, and proof
# that a no-op rebuild does not run it again (while a spec edit does).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked -p thulium-webhooks
codegen=$(find target/debug/build -path '*thulium-webhooks-*/out/codegen_time.txt' -newer openapi.yaml -print0 | xargs -0 ls -t | head -1)
echo "build.rs code generation: $(cat "$codegen") (written by build.rs into $codegen)"

noop=$(cargo build --locked -v -p thulium-webhooks 2>&1)
if grep -q 'Running .*thulium-webhooks-[0-9a-f]*/build-script-build' <<<"$noop"; then
  echo "FAIL: a no-op rebuild ran the build script" >&2
  exit 1
fi
grep -q 'Fresh thulium-webhooks' <<<"$noop" && echo "no-op rebuild: build script not run (cargo reports 'Fresh thulium-webhooks')"

touch openapi.yaml
start=$(date +%s%N)
edit=$(cargo build --locked -v -p thulium-webhooks 2>&1)
end=$(date +%s%N)
grep -q 'Running .*build-script-build' <<<"$edit" || { echo "FAIL: a spec edit did not rerun the build script" >&2; exit 1; }
echo "after touching openapi.yaml: build script rerun, rebuild took $(( (end - start) / 1000000 )) ms"
