#!/usr/bin/env python3
"""Turns JMH's JSON output into Markdown tables and SVG charts (plain Python 3, no packages).

Usage: python3 benchmarks/chart.py RESULTS.json OUTPUT_DIR

Writes to OUTPUT_DIR:
  results.md     the ratios the benchmarks set targets for, each with its spread over forks; the
                 paired cost of the stream layer (StreamThroughput*Bench.streamsAgainstRaw); then
                 every score with its fork spread, CPU time (from CpuTimeProfiler), p50/p99 for
                 sample mode and B/op (from -prof gc).
  cost.svg       the paired CPU time per byte of the stream path and the raw path, with their
                 ratio, per write size and stream count, for each carrier configuration.
  throughput.svg bytes per second of `streams` and `rawTransport` (separate trials), likewise.
A chart whose benchmarks are missing from RESULTS.json is not written (and one left from an earlier
run is removed, so that the directory shows one run only).
"""
import json
import math
import os
import sys
from html import escape

# The stream throughput benchmarks, and the carrier configuration each runs.
THROUGHPUT = (("StreamThroughputOneCarrierBench", "one carrier"),
              ("StreamThroughputBench", "default carriers"))
# The target for the stream layer's efficiency (raw cost over stream cost, one carrier).
TARGET = 0.8


def short(name):
    parts = name.split(".")
    return parts[-2] + "." + parts[-1]


def cls(r):
    return short(r["benchmark"]).split(".")[0]


def method(r):
    return short(r["benchmark"]).split(".")[1]


def params_text(r):
    return ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))


def metric(r, name):
    """The primary metric for name None, else the secondary metric whose label is name."""
    if r is None:
        return None
    if name is None:
        return r["primaryMetric"]
    for key, m in (r.get("secondaryMetrics") or {}).items():
        if key.lstrip("·") == name:
            return m
    return None


def fork_means(m):
    """The mean of each fork's iterations, or [] if the metric has no raw data."""
    if not m:
        return []
    return [sum(f) / len(f) for f in (m.get("rawData") or []) if f]


def fmt(x):
    if x is None:
        return ""
    if x != x:  # NaN
        return "NaN"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.2f} G"
    if a >= 1e6:
        return f"{x / 1e6:.1f} M"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def spread(values, digits=2):
    if not values:
        return ""
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def find(results, bench, **params):
    """The result of `bench` (Class.method) with these params; a param given as None or "" is not compared."""
    for r in results:
        if short(r["benchmark"]) == bench and all(
                (r.get("params") or {}).get(k) == str(v) for k, v in params.items() if v not in (None, "")):
            return r
    return None


def param_values(results, bench_class, name):
    """The values of one param of a benchmark class in the results, numbers in numeric order
    ([None] if the param is absent, [] if the class is)."""
    values = {(r.get("params") or {}).get(name) for r in results if cls(r) == bench_class}
    return sorted(values, key=lambda v: (v is None, int(v) if v and v.isdigit() else 0, v or ""))


def throughput_cases(results, bench_class):
    return [(ws, sc) for ws in param_values(results, bench_class, "writeSize")
            for sc in param_values(results, bench_class, "streamCount")]


def ratio_rows(results):
    """(label, value, spread over forks, target) for every ratio with a target or worth reading."""
    rows = []

    for bench_class, config in THROUGHPUT:
        target = f"≥ {TARGET}" if bench_class == THROUGHPUT[0][0] else "reported"
        for ws, sc in throughput_cases(results, bench_class):
            case = f"writeSize={ws}, streamCount={sc}"
            paired = find(results, f"{bench_class}.streamsAgainstRaw", writeSize=ws, streamCount=sc)
            for name, what in (("cpu.ratio", "CPU"), ("wall.ratio", "wall")):
                m = metric(paired, name)
                if m:
                    rows.append((f"{config}: streams / raw, paired, {what} ({case})", f"{m['score']:.2f}",
                                 spread(fork_means(m)), target if name == "cpu.ratio" else "reported"))
            streams = find(results, f"{bench_class}.streams", writeSize=ws, streamCount=sc)
            raw = find(results, f"{bench_class}.rawTransport", writeSize=ws, streamCount=sc)
            if streams and raw and raw["primaryMetric"]["score"]:
                s, r = fork_means(metric(streams, None)), fork_means(metric(raw, None))
                rows.append((f"{config}: streams / rawTransport B/s, separate trials ({case})",
                             f"{streams['primaryMetric']['score'] / raw['primaryMetric']['score']:.2f}",
                             spread([a / b for a in s for b in r if b]), "reported"))

    def add(label, num, den, target, key=lambda r: r["primaryMetric"]["score"], invert=False):
        if num is None or den is None:
            return
        a, b = key(num), key(den)
        if not a or not b:
            return
        rows.append((label, f"{(b / a if invert else a / b):.2f}", "", target))

    for wr in param_values(results, "JdkPipelineBench", "writer"):
        for ws in param_values(results, "JdkPipelineBench", "writeSize"):
            add(f"JdkPipelineBench twoHops / oneHop (writeSize={ws}, writer={wr}; JDK queues only)",
                find(results, "JdkPipelineBench.twoHops", writeSize=ws, writer=wr),
                find(results, "JdkPipelineBench.oneHop", writeSize=ws, writer=wr), "reported")
    for ps in ("16", "1024"):
        add(f"FrameCodecBench decode / baselineRawRead (payloadSize={ps})",
            find(results, "FrameCodecBench.decode", payloadSize=ps),
            find(results, "FrameCodecBench.baselineRawRead", payloadSize=ps), "≤ 1.5")
    for order, target in (("inOrder", "≥ 2"), ("shuffled", "≥ 3")):
        add(f"ReorderBench reference / buffer, speed-up ({order})",
            find(results, "ReorderBench.buffer", order=order),
            find(results, "ReorderBench.reference", order=order), target, invert=True)
    for p in ("50.0", "99.0"):
        pk = lambda r, p=p: r["primaryMetric"]["scorePercentiles"][p]
        add(f"RoundTripLatencyBench streamEcho / rawEcho (p{p[:2]})",
            find(results, "RoundTripLatencyBench.streamEcho"),
            find(results, "RoundTripLatencyBench.rawEcho"), "reported", key=pk)
        add(f"HandOffBench reorderBuffer / synchronousQueue (p{p[:2]})",
            find(results, "HandOffBench.reorderBuffer"),
            find(results, "HandOffBench.synchronousQueue"), "reported", key=pk)
    add("JfrEventsBench withEvents / baseline (no recording)",
        find(results, "JfrEventsBench.withEvents"), find(results, "JfrEventsBench.baseline"), "≈ 1")
    return rows


def paired_rows(results):
    rows = []
    for bench_class, config in THROUGHPUT:
        for ws, sc in throughput_cases(results, bench_class):
            r = find(results, f"{bench_class}.streamsAgainstRaw", writeSize=ws, streamCount=sc)
            if not metric(r, "cpu.ratio"):
                continue
            cells = [config, ws, sc]
            for name in ("streams.cpu.norm", "raw.cpu.norm", "cpu.ratio",
                         "streams.wall.norm", "raw.wall.norm", "wall.ratio"):
                m = metric(r, name)
                digits = 2 if name.endswith("ratio") else 3
                cells.append(f"{m['score']:.{digits}f} ({spread(fork_means(m), digits)})" if m else "")
            rows.append(cells)
    return rows


def markdown(results):
    first = results[0]

    def settings(r):
        text = (f"forks {r.get('forks')}, warm-up {r.get('warmupIterations')} × {r.get('warmupTime')}, "
                f"measurement {r.get('measurementIterations')} × {r.get('measurementTime')}")
        args = " ".join(r.get("jvmArgs") or [])
        return text + (f", JVM options `{args}`" if args else "")
    by_class = {}
    for r in results:
        by_class.setdefault(cls(r), settings(r))
    how = "; ".join(f"{c}: {text}" for c, text in by_class.items())
    out = [f"JMH {first.get('jmhVersion')}, {first.get('vmName')} {first.get('vmVersion')} "
           f"(JDK {first.get('jdkVersion')}). {how}.", "",
           "Spreads are the lowest and highest fork means (for a ratio of separate trials: of every "
           "pairing of a fork of one with a fork of the other).", ""]
    out += ["| ratio | value | forks | target |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ratio_rows(results)]
    paired = paired_rows(results)
    if paired:
        out += ["", "Paired cost of the stream layer (`streamsAgainstRaw`): carrier CPU time and wall time per "
                "byte of each path, and raw's over the streams' (1 = the layer costs nothing); "
                "mean (fork means).", "",
                "| carriers | writeSize | streamCount | streams CPU ns/B | raw CPU ns/B | CPU ratio "
                "| streams wall ns/B | raw wall ns/B | wall ratio |",
                "|---|---|---|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(str(c) for c in cells) + " |" for cells in paired]
    out += ["", "| benchmark | params | mode | score | ± error | forks | unit | CPU ns/op | carriers ns/op "
            "| cores | p50 | p99 | B/op |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        pm = r["primaryMetric"]
        pct = pm.get("scorePercentiles") or {}
        sample = r["mode"] == "sample"
        forks = fork_means(pm)
        unit = pm["scoreUnit"]
        if unit == "ops/s" and (cls(r) in dict(THROUGHPUT) or cls(r) == "JdkPipelineBench"):
            unit = "B/s"

        def sec(name, digits=3):
            m = metric(r, name)
            return "" if m is None else f"{m['score']:.{digits}g}"
        out.append("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            short(r["benchmark"]), params_text(r), r["mode"], fmt(pm["score"]), fmt(pm.get("scoreError")),
            f"{fmt(min(forks))}–{fmt(max(forks))}" if len(forks) > 1 else "", unit,
            sec("cpu.time.norm"), sec("cpu.carriers.norm"), sec("cpu.cores", 2),
            fmt(pct.get("50.0")) if sample else "", fmt(pct.get("99.0")) if sample else "",
            sec("gc.alloc.rate.norm")))
    return "\n".join(out) + "\n"


def nice_top(value):
    """The smallest 1, 2, 2.5 or 5 times a power of ten, times 5, at or above value: an axis of five ticks."""
    if value <= 0:
        return 1
    step = value / 5
    power = 10 ** math.floor(math.log10(step))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= step:
            return 5 * m * power
    return value


def bar_chart(title, unit_label, groups, series, colors, footnote):
    """groups: [(label, second line, {series: (value, error)}, bold note)], values already in chart units."""
    top = nice_top(max([v + e for _, _, vals, _ in groups for v, e in vals.values()] + [0]))
    w_group, bar, left, height, base = 150, 50, 80, 300, 340
    width = left + w_group * len(groups) + 170
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 95}" '
         f'font-family="sans-serif" font-size="12">',
         '<rect width="100%" height="100%" fill="white"/>',
         f'<text x="{left}" y="22" font-size="15">{escape(title)}</text>']
    for i in range(6):
        v = top * i / 5
        y = base - height * i / 5
        s.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w_group * len(groups)}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        s.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    s.append(f'<text x="20" y="{base - height / 2}" transform="rotate(-90 20 {base - height / 2})" '
             f'text-anchor="middle">{escape(unit_label)}</text>')
    for gi, (label, second, vals, note) in enumerate(groups):
        x0 = left + gi * w_group + 20
        for k, name in enumerate(series):
            v, err = vals.get(name, (0, 0))
            h = height * v / top
            x = x0 + k * (bar + 5)
            s.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar}" height="{h:.1f}" fill="{colors[k]}">'
                     f'<title>{escape(name)}: {v:.3g} ± {err:.2g}</title></rect>')
            if err:
                y1, y2 = base - height * (v - err) / top, base - height * (v + err) / top
                s.append(f'<line x1="{x + bar / 2}" y1="{y1:.1f}" x2="{x + bar / 2}" y2="{y2:.1f}" stroke="#1a202c"/>')
            s.append(f'<text x="{x + bar / 2}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="10">'
                     f'{v:.3g}</text>')
        s.append(f'<text x="{x0 + bar + 2}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
        s.append(f'<text x="{x0 + bar + 2}" y="{base + 30}" text-anchor="middle">{escape(second)}</text>')
        if note:
            s.append(f'<text x="{x0 + bar + 2}" y="{base + 46}" text-anchor="middle" font-weight="bold">'
                     f'{escape(note)}</text>')
    lx = left + w_group * len(groups) + 20
    for k, name in enumerate(series):
        s.append(f'<rect x="{lx}" y="{60 + 20 * k}" width="14" height="14" fill="{colors[k]}"/>')
        s.append(f'<text x="{lx + 20}" y="{72 + 20 * k}">{escape(name)}</text>')
    s.append(f'<text x="{left}" y="{base + 75}" font-size="10" fill="#4a5568">{escape(footnote)}</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


def footnote(results, what):
    r = results[0]
    return (f"JDK {r.get('jdkVersion', '')}, JMH {r.get('jmhVersion', '')}; {what}; "
            f"whiskers: JMH's 99.9 % error; see results.md for the spread over forks")


def cost_svg(results):
    groups = []
    for bench_class, config in THROUGHPUT:
        for ws, sc in throughput_cases(results, bench_class):
            r = find(results, f"{bench_class}.streamsAgainstRaw", writeSize=ws, streamCount=sc)
            if not metric(r, "cpu.ratio"):
                continue
            vals = {label: (metric(r, name)["score"], metric(r, name).get("scoreError") or 0)
                    for label, name in (("raw", "raw.cpu.norm"), ("streams", "streams.cpu.norm"))}
            ratio = metric(r, "cpu.ratio")
            groups.append((f"{ws} B × {sc}", config,
                           vals, f"{ratio['score']:.2f} ({spread(fork_means(ratio))})"))
    if not groups:
        return None
    return bar_chart("Stream layer's cost: carrier CPU ns per byte, paired (lower is better)", "CPU ns per byte",
                     groups, ("raw", "streams"), ("#9aa5b1", "#2b6cb0"),
                     footnote(results, f"bold: raw ÷ streams (forks), target ≥ {TARGET} with one carrier"))


def throughput_svg(results):
    groups = []
    for bench_class, config in THROUGHPUT:
        for ws, sc in throughput_cases(results, bench_class):
            vals = {}
            for name in ("rawTransport", "streams"):
                r = find(results, f"{bench_class}.{name}", writeSize=ws, streamCount=sc)
                if r:
                    vals[name] = (r["primaryMetric"]["score"] / 1e9, (r["primaryMetric"].get("scoreError") or 0) / 1e9)
            if len(vals) < 2:
                continue
            note = f"{vals['streams'][0] / vals['rawTransport'][0]:.2f}× of raw" if vals["rawTransport"][0] else ""
            groups.append((f"{ws} B × {sc}", config, vals, note))
    if not groups:
        return None
    return bar_chart("Stream throughput, separate trials: GB/s by write size and stream count (higher is better)",
                     "GB/s (10^9 bytes/s)", groups, ("rawTransport", "streams"), ("#9aa5b1", "#2b6cb0"),
                     footnote(results, "separate trials of each method"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        results = json.load(f)
    if not results:
        sys.exit("no results in " + sys.argv[1])
    os.makedirs(sys.argv[2], exist_ok=True)
    written = []
    for name, chart in (("cost.svg", cost_svg(results)), ("throughput.svg", throughput_svg(results))):
        path = os.path.join(sys.argv[2], name)
        if chart:
            with open(path, "w") as f:
                f.write(chart)
            written.append(name)
        elif os.path.exists(path):
            os.remove(path)
    with open(os.path.join(sys.argv[2], "results.md"), "w") as f:
        f.write(markdown(results))
    print("wrote", ", ".join([os.path.join(sys.argv[2], "results.md")] + written))


if __name__ == "__main__":
    main()
