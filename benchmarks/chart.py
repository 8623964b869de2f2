#!/usr/bin/env python3
"""Turns JMH's JSON output into a chart and a Markdown table (plain Python 3, no packages).

Usage: python3 benchmarks/chart.py RESULTS.json OUTPUT_DIR

Writes OUTPUT_DIR/throughput.svg (StreamThroughputBench: bytes/s of `streams` and `rawTransport`
for each write size and stream count, with the streams/raw ratio) and OUTPUT_DIR/results.md (every
benchmark's score, p50/p99 for sample mode, B/op when run with -prof gc, and the ratios the
performance issue sets targets for). matplotlib is not needed: the SVG is written by hand.
"""
import json
import os
import sys
from html import escape


def short(name):
    parts = name.split(".")
    return parts[-2] + "." + parts[-1]


def params_text(r):
    return ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))


def alloc(r):
    for key, m in (r.get("secondaryMetrics") or {}).items():
        if key.endswith("gc.alloc.rate.norm"):
            return m["score"]
    return None


def fmt(x):
    if x is None:
        return ""
    if x != x:  # NaN
        return "NaN"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.3f} G"
    if a >= 1e6:
        return f"{x / 1e6:.3f} M"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def find(results, bench, **params):
    """The result of `bench` with these params; a param given as None or "" is not compared."""
    for r in results:
        if short(r["benchmark"]) == bench and all(
                (r.get("params") or {}).get(k) == str(v) for k, v in params.items() if v not in (None, "")):
            return r
    return None


def param_values(results, bench_class, name):
    """The values of one param of a benchmark class in the results, numbers in numeric order
    ([None] if the param is absent, [] if the class is)."""
    values = {(r.get("params") or {}).get(name) for r in results
              if short(r["benchmark"]).startswith(bench_class + ".")}
    return sorted(values, key=lambda v: (v is None, int(v) if v and v.isdigit() else 0, v or ""))


def ratio_rows(results):
    rows = []

    def add(label, num, den, target, key=lambda r: r["primaryMetric"]["score"], invert=False):
        if num is None or den is None:
            return
        a, b = key(num), key(den)
        if not b:
            return
        value = b / a if invert else a / b
        rows.append((label, f"{value:.2f}", target))

    # The target is for writers on virtual threads (how the library is used); a platform-thread
    # writer is reported (see benchmarks/README.md, "Why the writer runs on a virtual thread").
    stb = "StreamThroughputBench"
    floors = (("rawTransport", "", None),
              ("rawTransportBatched", "; raw consumer drains in batches of 64", "reported"))
    for floor, note, fixed_target in floors:
        for wr in param_values(results, stb, "writer"):
            for ws in param_values(results, stb, "writeSize"):
                for sc in param_values(results, stb, "streamCount"):
                    for tr in param_values(results, stb, "transport"):
                        label = f"writeSize={ws}, streamCount={sc}, transport={tr}" + (f", writer={wr}" if wr else "")
                        add(f"streams / {floor} ({label}{note})",
                            find(results, f"{stb}.streams", writeSize=ws, streamCount=sc, transport=tr, writer=wr),
                            find(results, f"{stb}.{floor}", writeSize=ws, streamCount=sc, transport=tr, writer=wr),
                            fixed_target or ("reported" if wr == "platform" else "≥ 0.8"))
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


def markdown(results):
    first = results[0]
    def settings(r):
        return (f"forks {r.get('forks')}, warm-up {r.get('warmupIterations')} × {r.get('warmupTime')}, "
                f"measurement {r.get('measurementIterations')} × {r.get('measurementTime')}")
    by_class = {}
    for r in results:
        by_class.setdefault(short(r["benchmark"]).split(".")[0], settings(r))
    if len(set(by_class.values())) == 1:
        how = settings(first)
    else:
        how = "; ".join(f"{cls}: {text}" for cls, text in by_class.items())
    out = [f"JMH {first.get('jmhVersion')}, {first.get('vmName')} {first.get('vmVersion')} "
           f"(JDK {first.get('jdkVersion')}). {how}.", ""]
    out += ["| ratio | value | target |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in ratio_rows(results)]
    out += ["", "| benchmark | params | mode | score | ± error | unit | p50 | p99 | B/op |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        pm = r["primaryMetric"]
        pct = pm.get("scorePercentiles") or {}
        sample = r["mode"] == "sample"
        b_op = alloc(r)
        out.append("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            short(r["benchmark"]), params_text(r), r["mode"], fmt(pm["score"]), fmt(pm.get("scoreError")),
            pm["scoreUnit"].replace("ops/s", "B/s" if ("StreamThroughput" in r["benchmark"] or "JdkPipeline" in r["benchmark"]) else "ops/s"),
            fmt(pct.get("50.0")) if sample else "", fmt(pct.get("99.0")) if sample else "",
            "" if b_op is None else f"{b_op:.3g}"))
    return "\n".join(out) + "\n"


def svg(results):
    rows = [r for r in results if short(r["benchmark"]) in
            ("StreamThroughputBench.streams", "StreamThroughputBench.rawTransport")]
    if not rows:
        return None
    groups = sorted({(r["params"].get("writer", ""), int(r["params"]["writeSize"]), int(r["params"]["streamCount"]),
                      r["params"].get("transport", "")) for r in rows}, key=lambda g: (g[0] != "virtual", g[1:]))
    groups = [(ws, sc, tr, wr) for wr, ws, sc, tr in groups]
    def score(kind, g):
        r = find(results, "StreamThroughputBench." + kind, writeSize=g[0], streamCount=g[1], transport=g[2],
                 writer=g[3])
        return (r["primaryMetric"]["score"], r["primaryMetric"].get("scoreError") or 0) if r else (0, 0)
    top = max(max(score("streams", g)[0], score("rawTransport", g)[0]) for g in groups) / 1e6
    top = max(top * 1.15, 1)
    w_group, bar, left, height, base = 150, 50, 80, 320, 360
    width = left + w_group * len(groups) + 170
    colors = {"rawTransport": "#9aa5b1", "streams": "#2b6cb0"}
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 90}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="100%" height="100%" fill="white"/>',
         f'<text x="{left}" y="20" font-size="15">StreamThroughputBench: MB/s by write size and stream count '
         f'(higher is better)</text>']
    for i in range(6):
        v = top * i / 5
        y = base - height * i / 5
        s.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w_group * len(groups)}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        s.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    s.append(f'<text x="20" y="{base - height / 2}" transform="rotate(-90 20 {base - height / 2})" '
             f'text-anchor="middle">MB/s (10^6 bytes/s)</text>')
    for gi, g in enumerate(groups):
        x0 = left + gi * w_group + 20
        vals = {}
        for k, kind in enumerate(("rawTransport", "streams")):
            v, err = score(kind, g)
            vals[kind] = v
            h = height * (v / 1e6) / top
            x = x0 + k * (bar + 5)
            s.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar}" height="{h:.1f}" fill="{colors[kind]}">'
                     f'<title>{escape(kind)}: {v / 1e6:.1f} MB/s ± {err / 1e6:.1f}</title></rect>')
            s.append(f'<text x="{x + bar / 2}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="10">'
                     f'{v / 1e6:.0f}</text>')
        label = f"{g[0]} B × {g[1]} stream{'s' if g[1] != 1 else ''}"
        s.append(f'<text x="{x0 + bar + 2}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
        second = ", ".join(v for v, many in ((g[2], len({x[2] for x in groups}) > 1),
                                             (g[3] and g[3] + " writer", len({x[3] for x in groups}) > 1)) if v and many)
        if second:
            s.append(f'<text x="{x0 + bar + 2}" y="{base + 30}" text-anchor="middle">{escape(second)}</text>')
        if vals["rawTransport"]:
            s.append(f'<text x="{x0 + bar + 2}" y="{base + 46}" text-anchor="middle" font-weight="bold">'
                     f'{vals["streams"] / vals["rawTransport"]:.2f}× of raw</text>')
    lx = left + w_group * len(groups) + 20
    for k, kind in enumerate(("rawTransport", "streams")):
        s.append(f'<rect x="{lx}" y="{60 + 20 * k}" width="14" height="14" fill="{colors[kind]}"/>')
        s.append(f'<text x="{lx + 20}" y="{72 + 20 * k}">{kind}</text>')
    first = rows[0]
    s.append(f'<text x="{left}" y="{base + 75}" font-size="10" fill="#4a5568">JDK {escape(first.get("jdkVersion", ""))}, '
             f'JMH {escape(first.get("jmhVersion", ""))}, {first.get("measurementIterations")} × '
             f'{escape(first.get("measurementTime", ""))} measurement; error bars in the tooltips</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        results = json.load(f)
    os.makedirs(sys.argv[2], exist_ok=True)
    chart = svg(results)
    if chart:
        with open(os.path.join(sys.argv[2], "throughput.svg"), "w") as f:
            f.write(chart)
    with open(os.path.join(sys.argv[2], "results.md"), "w") as f:
        f.write(markdown(results))
    print("wrote", os.path.join(sys.argv[2], "results.md"), "and throughput.svg" if chart else "(no throughput rows)")


if __name__ == "__main__":
    main()
