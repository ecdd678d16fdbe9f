#!/usr/bin/env bash
# Model runtime benchmark: ModelBench (Java backends) and bench_reference.py (PyTorch) on the same
# weights, one model thread / one torch thread. Usage: tools/reference/run_model_bench.sh [MODEL_DIR...]
# Default models: the tiny F32 test model, a 25.7 M-parameter random BF16 model (generated into
# /tmp/bench-m) and the fixture models when present. The JVM gets a 64 MB heap: the weights are
# memory-mapped, not on the heap.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OMP_NUM_THREADS=1
if [ $# -eq 0 ]; then
  [ -d /tmp/bench-m ] || /usr/bin/python3 tools/reference/make_bench_model.py /tmp/bench-m
  set -- model/src/test/resources/models/tiny-gqa-f32 /tmp/bench-m
  for m in fixtures/models/tandem-draft fixtures/models/tandem-verifier; do
    [ -f "$m/config.json" ] && set -- "$@" "$m"
  done
fi
./tandem build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
TANDEM_JAVA_OPTS="-Xmx64m -Djava.util.logging.config.file=/dev/null" \
  ./tandem bench model "$@" --tokens 128 2>&1 | grep -v '^WARNING\|^SLF4J'
/usr/bin/python3 tools/reference/bench_reference.py "$@" --tokens 128 --threads 1
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
