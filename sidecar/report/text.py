"""The ROI report as text for the terminal (`revops-sidecar report`; --format json|csv|html for the others)."""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
	return "-" if value is None else f"{value * 100:.1f}%"


def _money(value: float | None) -> str:
	return "-" if value is None else f"{value:,.0f}"


def format_report(report: dict[str, Any]) -> str:
	lines = [
		f"Entry bands vs later conversion and deal value (last {report['window_days']} days; "
		"entry band = first score in window, bands from the live model)"
	]
	header = f"  {'band':8} {'contacts':>9} {'converted':>10} {'rate':>7} {'won value':>12} {'pipeline':>12} {'days to close':>14} {'conv. before':>13}"
	lines.append(header)
	for b in report["bands"]:
		days = "-" if b["median_days_to_close"] is None else f"{b['median_days_to_close']:g}"
		lines.append(
			f"  {b['band']:8} {b['contacts']:>9} {b['converted']:>10} {_pct(b['conversion_rate']):>7} "
			f"{_money(b['won_value']):>12} {_money(b['pipeline_value']):>12} {days:>14} {b['converted_before']:>13}"
		)
	lines.append("ERP-matched leads vs leads without an ERP match")
	for key in ("matched", "unmatched"):
		g = report["erp_match"][key]
		lines.append(
			f"  {key:10} {g['contacts']:>6} leads, {g['converted']} converted ({_pct(g['conversion_rate'])}), "
			f"won {_money(g['won_value'])}, avg deal {_money(g['avg_won_deal'])}, "
			f"median {g['median_days_to_close'] if g['median_days_to_close'] is not None else '-'} days to close"
		)
	h, t = report["handoffs"], report["first_touch"]
	lines.append(
		f"Handoffs (SQL threshold {report['threshold']:g}): {h['count']} ({h['delivered']} delivered, {h['pending']} pending), "
		f"converted after handoff {h['converted_after_handoff']} ({_pct(h['conversion_rate'])})"
	)
	if not t["touched"] and not t["untouched"]:
		lines.append("Time to first touch: no handoffs yet, so nothing to time")
	else:
		lines.append(
			f"Time to first touch: {t['touched']} touched, median {_hours(t['median_hours'])}, "
			f"p90 {_hours(t['p90_hours'])}; {t['untouched']} untouched (oldest {_hours(t['oldest_untouched_hours'])})"
		)
	e = report["erp_after_handoff"]
	days = e["median_days_to_first_order"]
	lines.append(
		f"ERPNext orders after handoff: {e['reported_to_erp']} of {e['handoffs_with_erp_customer']} handoffs of ERP"
		f" customers reported to ERPNext, {e['ordered_after_handoff']} ordered since ({e['first_order_value']:,.2f}"
		f" first-order value, median {days if days is not None else '-'} days),"
		f" {e['became_customer_after_handoff']} of them their first order ever"
	)
	lines.append(
		f"ERPNext invoices after handoff: {e['handoffs_with_erp_customer']} handoffs of ERP customers, "
		f"{e['invoiced_after_handoff']} invoiced since, {e['first_invoice_after_handoff']} with their first invoice "
		f"(median {e['median_days_to_first_invoice'] if e['median_days_to_first_invoice'] is not None else '-'} days)"
	)
	change = report["model_change"]
	if change["at"]:
		b, a = change["before"], change["after"]
		lines.append(
			f"Model change {change['at']}: median first touch {b['median_hours']} h before "
			f"({b['handoffs']} handoffs) vs {a['median_hours']} h after ({a['handoffs']} handoffs)"
		)
	else:
		lines.append("Model change: none recorded yet (`revops-sidecar model promote` records one)")
	return "\n".join(lines)


def _hours(value: float | None) -> str:
	return "-" if value is None else f"{value:g} h"
