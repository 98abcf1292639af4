#!/usr/bin/env bash
# Runs the same JMH selection on two benchmark jars, one after the other in each round, so that a before/after
# comparison shares the machine's minutes (these machines are shared and noisy: quote ratios from one run).
# Usage: benchmarks/compare.sh OLD.jar NEW.jar [JMH options, e.g. 'ModelCallBenchmark' -p sessions=10000 -prof gc]
# Build the old jar from a worktree: git worktree add /tmp/old <rev> && (cd /tmp/old &&
#   ./mvnw -B -q -pl benchmarks -am package -DskipTests)
set -euo pipefail
old=$1 new=$2
shift 2
out=benchmarks/target/compare-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$out"
for threads in 1 2; do
  for side in old new; do
    jar=$old; [ "$side" = new ] && jar=$new
    java -Djmh.ignoreLock=true -jar "$jar" -t "$threads" -rf json -rff "$out/$side-t$threads.json" "$@" \
      | tee "$out/$side-t$threads.log" | grep -E '^[A-Za-z]+Benchmark\.' || true
  done
done
echo "results in $out"
