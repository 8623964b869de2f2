#!/bin/sh
# Runs every JMH benchmark into benchmarks/results/results.json, then writes the chart
# (benchmarks/results/throughput.svg) and the table (benchmarks/results/results.md).
#
#   benchmarks/run.sh                                  # the annotated settings (final figures)
#   benchmarks/run.sh -f 1 -wi 2 -w 1s -i 3 -r 1s      # short, while developing
#   benchmarks/run.sh 'StreamThroughputBench' -p streamCount=1,16,256
#
# Extra arguments go to JMH as they are. `-prof gc` is always on (B/op in the table).
# Needs: a JDK 21+ where the Maven toolchains plugin finds it, and python3 (no packages).
set -eu
cd "$(dirname "$0")/.."
out="$PWD/benchmarks/results"
mkdir -p "$out"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpus: $(nproc 2>/dev/null || echo '?')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo '?')"
    echo "os: $(uname -sr)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo "jmh args: $*"
} > "$out/machine.txt"
# `package` keeps the toolchain (JDK 21+) selected for exec:exec; see benchmarks/README.md.
./mvnw -B -q -f benchmarks/pom.xml package exec:exec \
    -Djmh.args="-prof gc -rf json -rff $out/results.json $*"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >> "$out/machine.txt"
python3 benchmarks/chart.py "$out/results.json" "$out"
