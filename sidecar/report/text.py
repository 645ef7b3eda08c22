"""The ROI report as text for the terminal (`revops-sidecar report`; `--json` prints the dict itself)."""

from __future__ import annotations

from typing import Any


def format_report(report: dict[str, Any]) -> str:
	lines = [
		f"Score bands vs later conversion (last {report['window_days']} days; entry band = first score in window)"
	]
	lines.append(f"  {'band':8} {'contacts':>9} {'converted':>10} {'rate':>7} {'conv. before':>13}")
	for b in report["bands"]:
		rate = f"{b['conversion_rate'] * 100:.1f}%" if b["conversion_rate"] is not None else "-"
		lines.append(
			f"  {b['band']:8} {b['contacts']:>9} {b['converted']:>10} {rate:>7} {b['converted_before']:>13}"
		)
	h, t = report["handoffs"], report["first_touch"]
	rate = f"{h['conversion_rate'] * 100:.1f}%" if h["conversion_rate"] is not None else "-"
	lines.append(
		f"Handoffs (SQL threshold {report['threshold']:g}): {h['count']} ({h['delivered']} delivered, {h['pending']} pending), "
		f"converted after handoff {h['converted_after_handoff']} ({rate})"
	)
	lines.append(
		f"Time to first touch: {t['touched']} touched, median {t['median_hours']} h, p90 {t['p90_hours']} h; "
		f"{t['untouched']} untouched (oldest {t['oldest_untouched_hours']} h)"
	)
	return "\n".join(lines)
