#!/usr/bin/env bash
# Runs the benchmark suite (about 14 minutes on 2 cores) and writes BENCHMARKS.md from its results.
# Usage: benchmarks/run.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/results
mkdir -p "$out"
rm -f "$out"/jmh-*.json # a file of an earlier run must not be pooled with this one
jmh_opts=(-f 1 -wi 2 -w 1s -i 4 -r 1s -prof gc "$@")
for threads in 1 2; do
  java -jar "$jar" 'dev.agentguard.benchmarks.*' -e RedisLedgerBenchmark -t "$threads" "${jmh_opts[@]}" \
       -rf json -rff "$out/jmh-t$threads.json"
done
# Two more forks of the model and tool calls (raw, Resilience4j, guarded), one thread and two taken in turn: a fork
# of this shared machine may land fast or slow for minutes, so the hot-path lines take each figure, the baselines'
# included, as the median over three forks measured at different moments, rather than over one fork of each pass.
for round in 2 3; do
  for threads in 1 2; do
    java -jar "$jar" 'dev.agentguard.benchmarks.(ModelCall|ToolCall)Benchmark' -p sessions=10000,1000000 \
         -t "$threads" "${jmh_opts[@]}" -rf json -rff "$out/jmh-t$threads-r$round.json"
  done
done
java -Xmx2g -cp "$jar" dev.agentguard.benchmarks.SessionMemory 200000 2>/dev/null | tee "$out/memory.txt"
java -cp "$jar" dev.agentguard.benchmarks.TokenRatios guard-core/src/test/resources/dev/agentguard/core/tokens \
     > "$out/tokens.txt"
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%d)"
java -cp "$jar" dev.agentguard.benchmarks.Report "$out"/jmh-t1.json "$out"/jmh-t2.json "$out"/jmh-t?-r?.json \
     --memory "$out/memory.txt" --tokens "$out/tokens.txt" --command "benchmarks/run.sh $*" --machine "$machine" --out BENCHMARKS.md
