"""The ROI report as CSV (one flat table: section, name, metric, value) and as one self-contained HTML file
with inline SVG charts (lift curve, calibration, band conversion, deal value): no script, no network, so it
opens in any browser and can be mailed as an attachment."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

WIDTH, HEIGHT, PAD = 420, 240, 40


def to_csv(report: dict[str, Any]) -> str:
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	writer.writerow(["section", "name", "metric", "value"])
	for b in report["bands"]:
		for key, value in b.items():
			if key != "band":
				writer.writerow(["band", b["band"], key, value])
	for group, values in report["erp_match"].items():
		for key, value in values.items():
			writer.writerow(["erp_match", group, key, value])
	for key, value in report["handoffs"].items():
		writer.writerow(["handoffs", "all", key, value])
	for key, value in report["first_touch"].items():
		writer.writerow(["first_touch", "all", key, value])
	for key, value in report["erp_after_handoff"].items():
		writer.writerow(["erp_after_handoff", "all", key, value])
	for period in ("before", "after"):
		for key, value in report["model_change"][period].items():
			writer.writerow(["first_touch", f"{period}_model_change", key, value])
	for point in report["lift_curve"]:
		writer.writerow(
			["lift_curve", f"top {point['leads_share']:.0%}", "conversions_share", point["conversions_share"]]
		)
	for bucket in report["calibration"]:
		writer.writerow(
			[
				"calibration",
				f"{bucket['from']:g}-{bucket['to']:g}",
				"conversion_rate",
				bucket["conversion_rate"],
			]
		)
	return out.getvalue()


def _axes(title: str, y_label: str) -> list[str]:
	return [
		f'<svg role="img" aria-label="{html.escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
		f"<title>{html.escape(title)}</title>",
		f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - 10}" y2="{HEIGHT - PAD}" stroke="#555"/>',
		f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#555"/>',
		f'<text x="4" y="20" font-size="11">{html.escape(y_label)}</text>',
	]


def _bars(title: str, y_label: str, labels: list[str], series: list[tuple[str, str, list[float]]]) -> str:
	parts = _axes(title, y_label)
	top = max([v for _, _, values in series for v in values] + [1e-9])
	slot = (WIDTH - PAD - 10) / max(len(labels), 1)
	width = slot * 0.8 / max(len(series), 1)
	for i, label in enumerate(labels):
		x0 = PAD + i * slot + slot * 0.1
		for j, (name, colour, values) in enumerate(series):
			h = (HEIGHT - PAD - 30) * values[i] / top
			parts.append(
				f'<rect class="bar" x="{x0 + j * width:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{colour}">'
				f"<title>{html.escape(label)} {html.escape(name)}: {values[i]:,.4g}</title></rect>"
			)
		parts.append(f'<text x="{x0:.1f}" y="{HEIGHT - PAD + 14}" font-size="11">{html.escape(label)}</text>')
	for j, (name, colour, _) in enumerate(series):
		parts.append(
			f'<text x="{WIDTH - 170 + j * 80}" y="12" font-size="11" fill="{colour}">■ {html.escape(name)}</text>'
		)
	parts.append("</svg>")
	return "\n".join(parts)


def _line(title: str, points: list[tuple[float, float]]) -> str:
	parts = _axes(title, "share of conversions")
	w, h = WIDTH - PAD - 10, HEIGHT - PAD - 10

	def xy(x: float, y: float) -> str:
		return f"{PAD + x * w:.1f},{HEIGHT - PAD - y * h:.1f}"

	parts.append(f'<polyline points="{xy(0, 0)} {xy(1, 1)}" fill="none" stroke="#aaa" stroke-dasharray="4"/>')
	path = " ".join(xy(x, y) for x, y in [(0.0, 0.0), *points])
	parts.append(f'<polyline class="curve" points="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>')
	parts.append(f'<text x="{WIDTH - 150}" y="{HEIGHT - 6}" font-size="11">share of leads, best first</text>')
	parts.append("</svg>")
	return "\n".join(parts)


def _cell(column: str, value: Any) -> str:
	if value is None:
		return "-"
	if "rate" in column and isinstance(value, float):
		return f"{value:.1%}"
	if isinstance(value, float):
		return f"{value:,.0f}" if "value" in column or "deal" in column else f"{value:g}"
	return str(value)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
	head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
	body = "".join(
		"<tr>" + "".join(f"<td>{html.escape(_cell(c, r.get(c)))}</td>" for c in columns) + "</tr>"
		for r in rows
	)
	return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: dict[str, Any], text_summary: str) -> str:
	bands = report["bands"]
	names = [b["band"] for b in bands]
	charts = [
		(
			"Lift curve",
			_line("Lift curve", [(p["leads_share"], p["conversions_share"]) for p in report["lift_curve"]]),
		),
		(
			"Calibration: conversion by score",
			_bars(
				"Calibration",
				"conversion rate",
				[f"{c['from']:g}" for c in report["calibration"]],
				[("observed", "#2980b9", [c["conversion_rate"] or 0.0 for c in report["calibration"]])],
			),
		),
		(
			"Conversion by entry band",
			_bars(
				"Band conversion",
				"conversion rate",
				names,
				[("rate", "#27ae60", [b["conversion_rate"] or 0.0 for b in bands])],
			),
		),
		(
			"Deal value by entry band",
			_bars(
				"Deal value",
				"amount",
				names,
				[
					("won", "#8e44ad", [b["won_value"] for b in bands]),
					("pipeline", "#f39c12", [b["pipeline_value"] for b in bands]),
				],
			),
		),
	]
	figures = "\n".join(
		f'<figure class="chart"><figcaption>{html.escape(t)}</figcaption>{svg}</figure>' for t, svg in charts
	)
	erp = [{"group": k, **v} for k, v in report["erp_match"].items()]
	columns = [
		"contacts",
		"converted",
		"conversion_rate",
		"won_value",
		"pipeline_value",
		"avg_won_deal",
		"median_days_to_close",
	]
	return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>RevOps lead scoring ROI</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}figure{{display:inline-block;margin:1em}}
pre{{background:#f6f6f6;padding:1em}}</style></head>
<body><h1>Lead scoring ROI</h1>
<p>Last {report["window_days"]} days, generated {html.escape(report["generated_at"])} UTC.</p>
<h2>Entry bands</h2>{_table(bands, ["band", *columns, "converted_before"])}
<h2>ERP-matched vs unmatched leads</h2>{_table(erp, ["group", *columns])}
<h2>Charts</h2>{figures}
<h2>Summary</h2><pre>{html.escape(text_summary)}</pre>
</body></html>
"""
