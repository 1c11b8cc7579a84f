#!/usr/bin/env python3
"""Plots the main panels of chainwatch's Grafana dashboard from a real Prometheus server.

Each panel runs the very queries of deploy/helm/chainwatch/files/dashboard.json (query_range over the scraped
window), so the picture shows what the dashboard shows. Used for docs/dashboard.png:

  java -jar demo/target/chainwatch-demo.jar --follow --metrics-port=9464 &
  prometheus --config.file=docs/dashboard/prometheus.yml --storage.tsdb.path=/tmp/chainwatch-prom &
  # ... let the demo play (about a minute) ...
  python3 docs/dashboard/plot.py http://127.0.0.1:9090 docs/dashboard.png
"""
import json
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy/helm/chainwatch/files/dashboard.json"
# the panels a person looks at first; the others are chainwatch's plumbing
MAIN = ["Open findings by detector", "Remediation outcomes", "Finding → decision → action → verified (p90)",
        "Call latency p99 by system", "Audit spool and notification backlog", "Heap used / max"]


def query_range(base, expr, start, end, step):
    url = base + "/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = json.load(answer)
    if body["status"] != "success":
        raise SystemExit(f"query failed: {expr}: {body}")
    return body["data"]["result"]


def legend(fmt, labels):
    out = fmt
    for key, value in labels.items():
        out = out.replace("{{" + key + "}}", value)
    return out


def main():
    base, output = sys.argv[1], sys.argv[2]
    dashboard = json.loads(DASHBOARD.read_text())
    panels = {p["title"]: p for p in dashboard["panels"]}
    # the whole scraped window
    up = query_range(base, "chainwatch_build_info", time.time() - 3600, time.time(), 1)
    if not up:
        raise SystemExit("no chainwatch_build_info: is Prometheus scraping the demo?")
    start = min(float(v[0]) for s in up for v in s["values"])
    end = max(float(v[0]) for s in up for v in s["values"])
    figure, axes = plt.subplots(3, 2, figsize=(14, 11))
    for axis, title in zip(axes.flat, MAIN):
        panel = panels[title]
        drawn = 0
        for target in panel["targets"]:
            for series in query_range(base, target["expr"], start, end, 1):
                points = [(datetime.fromtimestamp(float(t)), float(v)) for t, v in series["values"]
                          if v not in ("NaN", "+Inf", "-Inf")]
                if not points:
                    continue
                if all(y == 0 for _, y in points):
                    continue  # a series that stayed 0 draws nothing but a legend entry
                xs, ys = zip(*points)
                axis.plot(xs, ys, label=legend(target.get("legendFormat", ""), series["metric"]) or target["expr"])
                drawn += 1
        axis.set_title(title, fontsize=11)
        unit = panel["fieldConfig"]["defaults"].get("unit", "")
        axis.set_ylabel({"s": "seconds", "bytes": "bytes"}.get(unit, ""))
        axis.tick_params(labelsize=8)
        axis.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%H:%M:%S"))
        if drawn:
            axis.legend(fontsize=7, loc="upper left", ncol=2 if drawn > 4 else 1, framealpha=0.6)
        else:
            axis.text(0.5, 0.5, "no data in this window", ha="center", va="center", transform=axis.transAxes)
    figure.suptitle("chainwatch dashboard, main panels: the demo's real metrics scraped by Prometheus "
                    f"({datetime.fromtimestamp(start):%H:%M:%S}–{datetime.fromtimestamp(end):%H:%M:%S})")
    figure.tight_layout()
    figure.savefig(output, dpi=90)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
