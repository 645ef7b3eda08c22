"""A fitted model as a model file in today's format: the base file with each signal's points scaled.

Every contribution is linear in the point values of its own section (a band's points, points per event and
the cap, a floor), so multiplying all of a signal's point values by m multiplies its contribution by m: the
fitted file scores exactly like "m_s x (the base model's points)" and stays a plain, commented TOML file a
person can read and edit. Multipliers are never negative (the sign of a signal is a human decision; the fit
only says how much it matters) and are written to `[provenance]` so `model compare` can re-score history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

# signal -> the TOML point keys it scales: (dotted path to a table, or a "[]" array of tables, keys)
SIGNAL_POINTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
	"seniority": (
		("fit.seniority.levels.*", ("points",)),
		("fit.seniority", ("unknown_points", "decision_maker_points")),
	),
	"industry": (("fit.industry.groups.*", ("points",)), ("fit.industry", ("other_points",))),
	"revenue": (("fit.revenue.bands[]", ("points",)),),
	"employees": (("fit.employees.bands[]", ("points",)),),
	"intent_pages": (("fit.intent.pages[]", ("points",)), ("fit.intent", ("max_points",))),
	"lifetime_value": (("erp.lifetime_value.bands[]", ("points",)),),
	"open_invoices": (("erp.open_invoices", ("points_per_invoice", "floor")),),
	"overdue_invoices": (
		("erp.overdue", ("points_per_invoice", "floor")),
		("erp.overdue.amount_bands[]", ("points",)),
		("erp.overdue.days_bands[]", ("points",)),
	),
	"renewal_window": (("erp.renewal", ("points",)),),
	"product_interest": (("erp.product_interest", ("points_per_quote", "max_points")),),
	"open_opportunities": (("erp.opportunities", ("points_per_opportunity", "max_points")),),
	"support_issues": (("erp.support", ("points_per_open_issue", "floor")),),
	# linear in its points: trend x per-day + counts x per-count, the floor and the prompt-payer bonus
	"payment_behaviour": (
		(
			"erp.payment_behaviour",
			(
				"points_per_day_slower",
				"points_per_failed_payment",
				"points_per_broken_promise",
				"points_per_dispute",
				"prompt_payer_points",
				"floor",
			),
		),
	),
}
BEHAVIOUR_KEYS = ("points_per_event", "max_points")


def signal_tables(doc: Any, signal: str) -> Iterator[tuple[Any, tuple[str, ...]]]:
	"""The TOML tables holding `signal`'s point values, with the keys to scale in each."""
	specs = SIGNAL_POINTS.get(signal)
	if specs is None:  # a behaviour signal: [behaviour.signals.<name>]
		table = doc.get("behaviour", {}).get("signals", {}).get(signal)
		if table is not None:
			yield table, BEHAVIOUR_KEYS
		return
	for path, keys in specs:
		yield from ((t, keys) for t in _walk(doc, path.split(".")))


def _walk(node: Any, parts: list[str]) -> Iterator[Any]:
	if not parts:
		yield node
		return
	head, rest = parts[0], parts[1:]
	if head == "*":
		for value in node.values():
			if isinstance(value, (dict, Table)):
				yield from _walk(value, rest)
		return
	if head.endswith("[]"):
		items = node.get(head[:-2])
		for item in items if isinstance(items, (list, AoT)) else []:
			yield from _walk(item, rest)
		return
	child = node.get(head) if hasattr(node, "get") else None
	if child is not None:
		yield from _walk(child, rest)


def _scaled(value: float, factor: float) -> float | int:
	out = round(float(value) * factor, 2)
	return int(out) if out == int(out) else out


def scale_model(
	base_text: str,
	multipliers: dict[str, float],
	tier_bounds: dict[str, tuple[float, float]],
	provenance: dict[str, Any],
) -> str:
	"""The base model file with each signal's points x its multiplier, new tier bounds and a [provenance]."""
	doc = tomlkit.parse(base_text)
	for signal, factor in multipliers.items():
		for table, keys in signal_tables(doc, signal):
			for key in keys:
				if key in table:
					table[key] = _scaled(table[key], factor)
	for tier, (low, high) in tier_bounds.items():
		doc["tiers"][tier]["min"] = _scaled(low, 1.0)
		doc["tiers"][tier]["max"] = _scaled(high, 1.0)
	if "provenance" in doc:
		del doc["provenance"]
	section = tomlkit.table()
	section.comment("written by `revops-sidecar model fit`; the engine ignores this table")
	for key, value in provenance.items():
		section[key] = value
	doc["provenance"] = section
	return tomlkit.dumps(doc)


def read_provenance(text: str) -> dict[str, Any]:
	data = tomlkit.parse(text).unwrap()
	value = data.get("provenance")
	return value if isinstance(value, dict) else {}


def model_version(text: str) -> str:
	"""A model's version: the first 12 hex digits of the SHA-256 of its file, byte for byte."""
	return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def write_model(path: Path, text: str, check: Callable[[Path], Any]) -> None:
	"""Write atomically after `check` (the real loader) accepts a temporary copy: never a broken live file."""
	tmp = path.with_name(path.name + ".tmp")
	tmp.write_text(text, encoding="utf-8")
	try:
		check(tmp)
	except Exception:
		tmp.unlink(missing_ok=True)
		raise
	tmp.replace(path)
