#!/usr/bin/env bash
# Runs the benchmark suite (about 19 minutes on 2 cores) and writes BENCHMARKS.md from its results.
# Usage: benchmarks/run.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/results
mkdir -p "$out"
rm -f "$out"/jmh-*.json # a file of an earlier run must not be pooled with this one
jmh_opts=(-f 1 -w 1s -i 4 -r 1s -prof gc)
hot='dev.agentguard.benchmarks.(ModelCall|ToolCall)Benchmark'
for threads in 1 2; do
  java -jar "$jar" 'dev.agentguard.benchmarks.*' -e "RedisLedgerBenchmark|$hot" -t "$threads" "${jmh_opts[@]}" -wi 2 \
       "$@" -rf json -rff "$out/jmh-t$threads.json"
done
# The model and tool calls (raw, Resilience4j, guarded), one thread and two taken in turn, in three rounds (the
# later two without the single-session case): a fork of this shared machine may land fast or slow for minutes, so
# the hot-path lines take each figure, the baselines' included, as the median over three forks measured at
# different moments. They warm up for 6 s, not 2: with two threads busy on two cores the compiler threads get what
# is left, and a two-thread fork was still compiling its hot path after 2 s (7.4, 4.1, 2.8, 1.6, 1.0 and 0.78 us per
# call in its first six seconds, 0.66 from then on; one thread settles within about 2 s).
for round in 1 2 3; do
  sessions=(); [ "$round" = 1 ] || sessions=(-p sessions=10000,1000000)
  for threads in 1 2; do
    java -jar "$jar" "$hot" ${sessions[@]+"${sessions[@]}"} -t "$threads" "${jmh_opts[@]}" -wi 6 "$@" \
         -rf json -rff "$out/jmh-t$threads-r$round.json"
  done
done
java -Xmx2g -cp "$jar" dev.agentguard.benchmarks.SessionMemory 200000 2>/dev/null | tee "$out/memory.txt"
java -cp "$jar" dev.agentguard.benchmarks.TokenRatios guard-core/src/test/resources/dev/agentguard/core/tokens \
     > "$out/tokens.txt"
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%d)"
java -cp "$jar" dev.agentguard.benchmarks.Report "$out"/jmh-t1.json "$out"/jmh-t2.json "$out"/jmh-t?-r?.json \
     --memory "$out/memory.txt" --tokens "$out/tokens.txt" --command "benchmarks/run.sh $*" --machine "$machine" --out BENCHMARKS.md
