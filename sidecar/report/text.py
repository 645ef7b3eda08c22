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
	if not t["touched"] and not t["untouched"]:
		lines.append("Time to first touch: no handoffs yet, so nothing to time")
	else:
		lines.append(
			f"Time to first touch: {t['touched']} touched, median {_hours(t['median_hours'])}, "
			f"p90 {_hours(t['p90_hours'])}; {t['untouched']} untouched (oldest {_hours(t['oldest_untouched_hours'])})"
		)
	return "\n".join(lines)


def _hours(value: float | None) -> str:
	return "-" if value is None else f"{value:g} h"
