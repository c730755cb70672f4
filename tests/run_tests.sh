#!/usr/bin/env bash
# Runs every test — unit (GoogleTest), end-to-end (through the real preload) and a short
# fuzz run — and ends with one line "N passed, M failed". Exits non-zero if any failed.
#   BUILD=build bash tests/run_tests.sh [--asan]
set -uo pipefail

BUILD=${BUILD:-build}
ASAN=0
[ "${1:-}" = "--asan" ] && ASAN=1
log_dir=$(mktemp -d)
passed=0
failed=0

count() {  # count PASSED FAILED
  passed=$((passed + $1))
  failed=$((failed + $2))
}

echo "== unit tests ($BUILD/unit_tests)"
if "$BUILD/unit_tests" --gtest_brief=1 >"$log_dir/unit.log" 2>&1; then unit_rc=0; else unit_rc=$?; fi
cat "$log_dir/unit.log" | grep -v '^\[       OK \]' | tail -n 40
unit_passed=$(grep -oP '^\[  PASSED  \] \K[0-9]+' "$log_dir/unit.log" || true)
unit_failed=$(grep -oP '^\[  FAILED  \] \K[0-9]+(?= tests?,)' "$log_dir/unit.log" || true)
unit_total=$(grep -oP '^\[==========\] \K[0-9]+(?= tests? from)' "$log_dir/unit.log" | tail -1 || true)
if [ -z "$unit_total" ]; then
  echo "unit test binary did not finish (exit $unit_rc)"
  count 0 1
else
  unit_failed=${unit_failed:-0}
  [ $unit_rc -ne 0 ] && [ "$unit_failed" -eq 0 ] && unit_failed=1
  count "$((unit_total - unit_failed))" "$unit_failed"
fi

echo "== end-to-end tests"
if BUILD="$BUILD" python3 tests/e2e/run.py -j 2 >"$log_dir/e2e.log" 2>&1; then :; fi
grep -v '^PASS ' "$log_dir/e2e.log" | tail -n 200
grep -c '^PASS ' "$log_dir/e2e.log" | xargs -I{} echo "{} end-to-end tests passed"
e2e_line=$(grep -P '^e2e: [0-9]+ passed, [0-9]+ failed$' "$log_dir/e2e.log" || true)
if [ -z "$e2e_line" ]; then
  echo "end-to-end runner did not finish"
  count 0 1
else
  count "$(echo "$e2e_line" | awk '{print $2}')" "$(echo "$e2e_line" | awk '{print $4}')"
fi

if [ $ASAN -eq 0 ]; then
  echo "== fuzz: dump reader and analysis, ${FUZZ_SECONDS:-30} s per target"
  if make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >"$log_dir/fuzz.log" 2>&1; then
    tail -n 3 "$log_dir/fuzz.log"
    count 1 0
  else
    tail -n 60 "$log_dir/fuzz.log"
    count 0 1
  fi
fi

rm -rf "$log_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
