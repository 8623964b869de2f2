#!/bin/sh
# Runs the JMH benchmarks into benchmarks/results/results.json, with CPU time per operation
# (dev.mixnetstreams.bench.CpuTimeProfiler) and allocation (-prof gc), then writes the tables and
# charts (benchmarks/chart.py) and the machine's state (benchmarks/results/machine.txt).
#
#   benchmarks/run.sh                              # every benchmark, with its annotated settings
#   benchmarks/run.sh StreamThroughput             # both stream throughput benchmarks only
#   benchmarks/run.sh -f 1 -wi 2 -i 3              # short, while developing
#   nice -n -10 benchmarks/run.sh                  # as root: ahead of other work on the machine
#
# Extra arguments go to JMH as they are (a benchmark regex, -f, -p, -prof stack, ...). Every run
# replaces the files in benchmarks/results/. Needs a JDK 21+ where the Maven toolchains plugin
# finds it, and python3 (no packages).
set -eu
cd "$(dirname "$0")/.."
out="$PWD/benchmarks/results"
mkdir -p "$out"
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }

# The 1-minute load average every 15 s while the benchmarks run: other work on the machine shows.
samples="$(mktemp)"
(while :; do cut -d' ' -f1 /proc/loadavg >> "$samples" 2>/dev/null || exit 0; sleep 15; done) &
sampler=$!
trap 'kill "$sampler" 2>/dev/null; rm -f "$samples"' EXIT

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpus: $(nproc 2>/dev/null || echo '?')"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo '?')"
    echo "os: $(uname -sr)"
    echo "niceness: $(nice)"
    echo "load average before: $(loadavg)"
    echo "jmh args: $*"
} > "$out/machine.txt"
# `package` keeps the toolchain (JDK 21+) selected for exec:exec; see benchmarks/README.md.
./mvnw -B -q -f benchmarks/pom.xml package exec:exec \
    -Djmh.args="-prof dev.mixnetstreams.bench.CpuTimeProfiler -prof gc -rf json -rff $out/results.json $*"
{
    echo "load average after: $(loadavg)"
    echo "load average during (1 min, every 15 s): $(sort -n "$samples" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo " to " hi }')"
} >> "$out/machine.txt"
python3 benchmarks/chart.py "$out/results.json" "$out"
