#!/usr/bin/env bash
# Reload latency: time from writing the config file to the new config being in effect (the
# generation in GET /admin/config moving on), with the router's default watch settings
# (scan_period_ms 500, debounce_ms 200) unless the file sets others. Also POST /admin/reload.
#   load-tests/scripts/reload-latency.sh [ROUNDS] [PORT]
set -euo pipefail
rounds="${1:-20}"
port="${2:-18089}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$(mktemp -d)"
cfg="$dir/tandem.yaml"
log="$dir/serve.log"
echo "limits: {max_tokens: 200}" > "$cfg"
"$root/tandem" serve --config "$cfg" --port "$port" > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
generation() { curl -sf "http://127.0.0.1:$port/admin/config" | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
measure() { # $1 = how: file | admin, $2 = a value no earlier round wrote
  local before after start end deadline
  before=$(generation)
  echo "limits: {max_tokens: $2}" > "$cfg"
  start=$(now_ms)
  if [ "$1" = admin ]; then curl -sf -X POST "http://127.0.0.1:$port/admin/reload" > /dev/null; fi
  deadline=$(( start + 30000 ))
  while :; do
    after=$(generation)
    [ "$after" != "$before" ] && break
    if [ "$(now_ms)" -gt "$deadline" ]; then echo "no reload within 30 s" >&2; exit 1; fi
    sleep 0.005
  done
  end=$(now_ms)
  echo $(( end - start ))
}
round=0
for how in file admin; do
  samples=()
  for _ in $(seq 1 "$rounds"); do
    round=$(( round + 1 )) # every round writes new content, so every round must reload
    samples+=("$(measure "$how" $(( 100 + round )))")
    sleep 0.3
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk -v how="$how" -v n="$rounds" '
    { v[NR] = $1; sum += $1 }
    END { printf "reload via %-5s: %d rounds, p50 %d ms, p90 %d ms, max %d ms, mean %.0f ms\n",
          how, n, v[int((n + 1) / 2)], v[int(0.9 * n + 0.5)], v[n], sum / n }'
done
