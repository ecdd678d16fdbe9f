#!/usr/bin/env bash
# Runs the whole test suite back to back on fresh clones of a commit, with no reruns of failing
# tests, until RUNS runs are done: a flaky test shows up as a failed run. Results, one line per
# run, in OUT (default /tmp/test-soak.log); each run's Maven output in OUT.N.
# usage: load-tests/scripts/test-soak.sh [RUNS=20] [COMMIT=HEAD] [OUT=/tmp/test-soak.log]
set -u
runs="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
commit="$(git -C "$root" rev-parse --short "${2:-HEAD}")"
out="${3:-/tmp/test-soak.log}"
work="$(mktemp -d)"
git clone -q "$root" "$work/tandem" && git -C "$work/tandem" checkout -q "$commit" || exit 1
echo "commit $commit" > "$out"
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if (cd "$work/tandem" && ./tandem test -o -Dsurefire.rerunFailingTestsCount=0) > "$out.$i" 2>&1; then
    result=pass
  else
    result=FAIL
  fi
  echo "run $i $result $(($(date +%s) - start))s load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
  grep -h "<<< FAIL" "$out.$i" | head -5 >> "$out"
done
rm -rf "$work"
grep -c " pass " "$out" | xargs echo "passed:" >> "$out"
