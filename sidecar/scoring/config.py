"""Load and validate the scoring model config (TOML) into compiled, immutable rules.

Contract: `load_model_config(path)` / `parse_model_config(data, source)` return a `ModelConfig` or raise
`ModelConfigError` whose message names the offending key as a dotted path (e.g.
"fit.revenue.bands[2].min: bands must be sorted by min ascending"). Unknown keys are errors too, so a
typo never silently falls back to a default. Every key is documented in README.md and in the shipped
default_model.toml. Nothing here scores; model.py does. Sections are read in file order (tiers, output,
fit, behaviour, erp, company), so the first bad key is the one reported. The compiled types are in
config_types.py, the typed reader in config_reader.py (both re-exported here).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from sidecar.scoring.config_reader import _bands, _number, _Reader, _seniority
from sidecar.scoring.config_types import (
	TIERS,
	Band,
	BehaviourSignal,
	IntentPage,
	ModelConfig,
	ModelConfigError,
)
from sidecar.scoring.payment import parse_payment_config
from sidecar.scoring.signals import EVENT_SOURCES, normalise_industry

if sys.version_info >= (3, 11):
	import tomllib
else:  # pragma: no cover - exercised only on 3.10
	import tomli as tomllib


def parse_model_config(data: dict, source: str = "<memory>") -> ModelConfig:
	"""Validate a parsed TOML tree; raise ModelConfigError naming the first bad key.

	`[provenance]` (optional, free-form) is where a fitted model says where it came from (learning/modelfile.py);
	the engine never reads it, so a person may edit or drop it."""
	if not isinstance(data.get("provenance", {}), dict):
		raise ModelConfigError("provenance: must be a table")
	data = {k: v for k, v in data.items() if k != "provenance"}
	root = _Reader(data, "")
	version = root.integer("version")
	if version != 1:
		raise ModelConfigError(f"version: unsupported model config version {version} (this engine reads 1)")
	values = {**_tiers_and_output(root), **_fit(root), **_behaviour(root)}
	erp = root.table("erp")
	values.update(_erp_money(erp))
	values.update(_erp_interest(erp))
	values["payment"] = parse_payment_config(erp)
	erp.done()
	company = root.table("company")
	breadth = company.number("breadth_weight", lo=0, hi=1)
	company.done()
	root.done()
	return ModelConfig(source=source, company_breadth_weight=breadth, **values)


def _tiers_and_output(root: _Reader) -> dict[str, Any]:
	"""[tiers.*] clamps and [output] (reasons, event dates, bands)."""
	tiers = root.table("tiers")
	tier_min, tier_max = {}, {}
	for tier in TIERS:
		t = tiers.table(tier)
		tier_min[tier] = t.number("min", hi=0)
		tier_max[tier] = t.number("max", lo=0, hi=100)
		t.done()
	tiers.done()

	output = root.table("output")
	max_reasons = output.integer("max_reasons", 5, lo=1)
	min_reason_points = output.number("min_reason_points", 1.0, lo=0)
	event_dates = output.string("event_dates", "absolute")
	if event_dates not in ("absolute", "relative"):
		raise ModelConfigError(f"output.event_dates: expected 'absolute' or 'relative', got {event_dates!r}")
	bands_reader = output.table("bands")
	bands = []
	for name in bands_reader.data:
		bands.append((name, bands_reader.number(name, lo=0, hi=100)))
	if not bands:
		raise ModelConfigError(f"{bands_reader.path}: at least one band is needed")
	bands.sort(key=lambda b: (-b[1], b[0]))
	if bands[-1][1] != 0:
		raise ModelConfigError(
			f"{bands_reader.path}: the lowest band must start at 0 so every total has a band"
		)
	bands_reader.done()
	output.done()
	return dict(
		tier_min=tier_min,
		tier_max=tier_max,
		max_reasons=max_reasons,
		min_reason_points=min_reason_points,
		event_dates=event_dates,
		bands=tuple(bands),
	)


def _fit(root: _Reader) -> dict[str, Any]:
	"""[fit]: seniority, industry groups, revenue and employee bands, intent pages."""
	fit = root.table("fit")
	titles, title_label_chars = _seniority(fit.table("seniority"))

	industry = fit.table("industry")
	industry_points: dict[str, tuple[float, str]] = {}
	groups = industry.table("groups")
	for group_name in groups.data:
		group = groups.table(group_name)
		points = group.number("points")
		label = group.string("label", group_name.replace("_", " "))
		for value in group.strings("values"):
			key = normalise_industry(value)
			if key in industry_points:
				raise ModelConfigError(f"{group.path}.values: industry {value!r} is already in another group")
			industry_points[key] = (points, label)
		group.done()
	groups.done()
	industry_other = industry.number("other_points", 0)
	industry.done()

	revenue = fit.table("revenue")
	revenue_bands = _bands(revenue, "bands")
	revenue.done()
	employees = fit.table("employees")
	employee_bands = _bands(employees, "bands")
	employees.done()

	intent = fit.table("intent")
	pages = []
	for item in intent.tables("pages"):
		pattern_text = item.string("pattern")
		try:
			pattern = re.compile(pattern_text)
		except re.error as exc:
			raise ModelConfigError(f"{item.path}.pattern: not a valid regular expression ({exc})")
		name = item.string("name")
		pages.append(IntentPage(name, item.string("label", name), pattern, item.number("points", lo=0)))
		item.done()
	intent_max = intent.number("max_points", lo=0)
	intent_half_life = intent.number("half_life_days", lo=1)
	intent.done()
	fit.done()
	return dict(
		titles=titles,
		title_label_chars=title_label_chars,
		industry_points=industry_points,
		industry_other_points=industry_other,
		revenue_bands=revenue_bands,
		employee_bands=employee_bands,
		intent_pages=tuple(pages),
		intent_max_points=intent_max,
		intent_half_life_days=intent_half_life,
	)


def _behaviour(root: _Reader) -> dict[str, Any]:
	"""[behaviour.signals.*]: per-event points, caps and half-lives."""
	behaviour = root.table("behaviour")
	signals_reader = behaviour.table("signals")
	behaviour_signals = []
	for name in signals_reader.data:
		item = signals_reader.table(name)
		event = item.string("event")
		if event not in EVENT_SOURCES:
			raise ModelConfigError(
				f"{item.path}.event: unknown event {event!r} (known: {', '.join(sorted(EVENT_SOURCES))})"
			)
		max_age = item.raw("max_age_days", None)
		behaviour_signals.append(
			BehaviourSignal(
				name=name,
				event=event,
				label=item.string("label", name.replace("_", " ")),
				points_per_event=item.number("points_per_event", lo=0),
				max_points=item.number("max_points", lo=0),
				min_events=item.number("min_events", 1, lo=1),
				half_life_days=item.number("half_life_days", lo=1),
				max_age_days=None if max_age is None else _number(max_age, f"{item.path}.max_age_days", lo=0),
			)
		)
		item.done()
	signals_reader.done()
	behaviour.done()
	return dict(behaviour=tuple(behaviour_signals))


def _erp_money(erp: _Reader) -> dict[str, Any]:
	"""[erp]: currency and FX, lifetime value, open and overdue invoices."""
	currency = erp.string("currency").upper()
	fx_reader = erp.table("fx_to_base", required=False)
	fx = {code.upper(): fx_reader.number(code, lo=0) for code in list(fx_reader.data)}
	fx_reader.done()
	fx[currency] = 1.0

	ltv = erp.table("lifetime_value")
	ltv_bands = _bands(ltv, "bands", sign=1)
	ltv_half_life = ltv.raw("half_life_days", None)
	if ltv_half_life is not None:
		ltv_half_life = _number(ltv_half_life, f"{ltv.path}.half_life_days", lo=1)
	ltv.done()

	open_invoices = erp.table("open_invoices")
	open_per = open_invoices.number("points_per_invoice", hi=0)
	open_floor = open_invoices.number("floor", hi=0)
	open_invoices.done()

	overdue = erp.table("overdue")
	overdue_per = overdue.number("points_per_invoice", hi=0)
	overdue_amount = _bands(overdue, "amount_bands", sign=-1)
	overdue_days = _bands(overdue, "days_bands", sign=-1)
	overdue_floor = overdue.number("floor", hi=0)
	overdue.done()
	return dict(
		currency=currency,
		fx_to_base=fx,
		ltv_bands=ltv_bands,
		ltv_half_life_days=ltv_half_life,
		open_points_per_invoice=open_per,
		open_floor=open_floor,
		overdue_points_per_invoice=overdue_per,
		overdue_amount_bands=overdue_amount,
		overdue_days_bands=overdue_days,
		overdue_floor=overdue_floor,
	)


def _erp_interest(erp: _Reader) -> dict[str, Any]:
	"""[erp]: renewal window, quoted product lines, opportunities, support issues."""
	renewal = erp.table("renewal")
	renewal_points = renewal.number("points", lo=0)
	window = renewal.integer("window_days", lo=0)
	ramp = renewal.integer("ramp_days", lo=0)
	renewal.done()

	product = erp.table("product_interest")
	product_per = product.number("points_per_quote", lo=0)
	product_max = product.number("max_points", lo=0)
	lines_reader = product.table("lines")
	product_lines: dict[str, str] = {}
	for line in lines_reader.data:
		for group in lines_reader.strings(line):
			if group in product_lines:
				raise ModelConfigError(
					f"{lines_reader.path}.{line}: item group {group!r} is already in line {product_lines[group]!r}"
				)
			product_lines[group] = line
	lines_reader.done()
	product.done()

	opportunities = erp.table("opportunities")
	opp_points = opportunities.number("points_per_opportunity", lo=0)
	opp_max = opportunities.number("max_points", lo=0)
	opportunities.done()

	support = erp.table("support")
	support_per = support.number("points_per_open_issue", hi=0)
	support_floor = support.number("floor", hi=0)
	support.done()
	return dict(
		renewal_points=renewal_points,
		renewal_window_days=window,
		renewal_ramp_days=ramp,
		product_lines=product_lines,
		product_points_per_quote=product_per,
		product_max_points=product_max,
		opportunity_points=opp_points,
		opportunity_max_points=opp_max,
		support_points_per_open_issue=support_per,
		support_floor=support_floor,
	)


def load_model_config(path: str | Path) -> ModelConfig:
	"""Read and validate a model config file; errors name the file and the key."""
	path = Path(path)
	try:
		data = tomllib.loads(path.read_text(encoding="utf-8"))
	except OSError as exc:
		raise ModelConfigError(f"{path}: cannot read the model config ({exc.strerror or exc})")
	except tomllib.TOMLDecodeError as exc:
		raise ModelConfigError(f"{path}: not valid TOML ({exc})")
	try:
		return parse_model_config(data, str(path))
	except ModelConfigError as exc:
		raise ModelConfigError(f"{path}: {exc}") from None
