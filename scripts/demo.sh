#!/usr/bin/env bash
# The SPEC's incident in one minute: a service keeps every request body in a global cache.
# slowburn runs it, names the line that grows, and a CI budget check fails on it.
#   bash scripts/demo.sh BUILD_DIR
set -euo pipefail

build=${1:-build}
slowburn="$build/slowburn"
leaky="$build/samples/incident_leaky"
for f in "$slowburn" "$leaky" "$build/libslowburn.so"; do
  [ -e "$f" ] || { echo "demo: $f is missing; run 'make all-targets' first" >&2; exit 2; }
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== slowburn run -- incident_leaky   (the handler from the SPEC, 600 requests)"
"$slowburn" run --out "$out" --top 3 --frames 2 -- "$leaky" 2>&1
dump=$(ls "$out"/slowburn.incident_leaky.*.sb)

echo
echo "== the culprit, as CI sees it: slowburn check --max-growth 1MiB/min"
set +e
"$slowburn" check "$dump" --max-growth 1MiB/min
status=$?
set -e
echo "exit status $status (1 = over budget)"

echo
echo "== the fixed twin (bounded cache) passes the same budget"
"$slowburn" run --out "$out" --top 1 --frames 0 -- "$build/samples/incident_fixed" 2>/dev/null
fixed=$(ls "$out"/slowburn.incident_fixed.*.sb)
"$slowburn" check "$fixed" --max-growth 1MiB/min
echo "exit status $? (0 = within budget)"
