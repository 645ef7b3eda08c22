"""The model config is data: the shipped file loads, every key is documented, and a bad file is refused
with an error that names the key (never a silent default)."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest

from sidecar.scoring import ModelConfigError, ScoringModel, load_default_model
from sidecar.scoring.model import DEFAULT_MODEL_FILE

if sys.version_info >= (3, 11):
	import tomllib
else:  # pragma: no cover
	import tomli as tomllib

README = DEFAULT_MODEL_FILE.with_name("README.md")


def default_data() -> dict:
	return tomllib.loads(DEFAULT_MODEL_FILE.read_text())


def mutated(path: str, value=None, delete: bool = False) -> dict:
	"""Copy of the default config with one dotted key changed (list items as name[i])."""
	data = copy.deepcopy(default_data())
	parts = path.split(".")
	node = data
	for part in parts[:-1]:
		match = re.fullmatch(r"(.+)\[(\d+)\]", part)
		node = node[match.group(1)][int(match.group(2))] if match else node[part]
	last = parts[-1]
	if delete:
		del node[last]
	else:
		node[last] = value
	return data


def error_for(data: dict) -> str:
	with pytest.raises(ModelConfigError) as caught:
		ScoringModel.from_dict(data)
	return str(caught.value)


def test_default_model_loads_and_tier_maxima_add_up_to_100():
	config = load_default_model().config
	assert sum(config.tier_max.values()) == 100
	assert config.source.endswith("default_model.toml")


@pytest.mark.parametrize(
	("path", "value", "message"),
	[
		("fit.revenue.bands[2].min", 500, "fit.revenue.bands[2].min: bands must be sorted by min ascending"),
		(
			"fit.intent.pages[0].pattern",
			"/(demo",
			"fit.intent.pages[0].pattern: not a valid regular expression",
		),
		(
			"behaviour.signals.webinar.event",
			"webinars",
			"behaviour.signals.webinar.event: unknown event 'webinars'",
		),
		(
			"behaviour.signals.webinar.half_life_days",
			"sixty",
			"behaviour.signals.webinar.half_life_days: expected a number",
		),
		(
			"behaviour.signals.webinar.half_life_days",
			0,
			"behaviour.signals.webinar.half_life_days: must be >= 1",
		),
		(
			"behaviour.signals.webinar.max_points",
			True,
			"behaviour.signals.webinar.max_points: expected a number",
		),
		("tiers.fit.max", 120, "tiers.fit.max: must be <= 100"),
		("tiers.erp.min", 5, "tiers.erp.min: must be <= 0"),
		("erp.overdue.points_per_invoice", 3, "erp.overdue.points_per_invoice: must be <= 0"),
		("erp.overdue.amount_bands[1].points", 2, "erp.overdue.amount_bands[1].points: must be <= 0"),
		("erp.support.floor", 6, "erp.support.floor: must be <= 0"),
		("erp.renewal.window_days", 90.5, "erp.renewal.window_days: expected an integer"),
		(
			"fit.seniority.decision_maker_levels",
			["c_level", "boss"],
			"fit.seniority.decision_maker_levels: unknown level 'boss'",
		),
		("fit.seniority.order", ["intern", "ceo"], "fit.seniority.order: level 'ceo' has no"),
		("fit.seniority.levels.vp.phrases", [], "fit.seniority.levels.vp.phrases: at least one phrase"),
		(
			"fit.industry.groups.poor.values",
			["COMPUTER_SOFTWARE"],
			"fit.industry.groups.poor.values: industry 'COMPUTER_SOFTWARE' is already in another group",
		),
		(
			"erp.product_interest.lines.Hardware",
			["Analytics"],
			"erp.product_interest.lines.Hardware: item group 'Analytics' is already in line 'Analytics'",
		),
		("output.bands.cold", 10, "output.bands: the lowest band must start at 0"),
		("version", 2, "version: unsupported model config version 2"),
		(
			"behaviour.signals.webinar.half_lif_days",
			30,
			"behaviour.signals.webinar.half_lif_days: unknown key",
		),
		("erp.currenct", "USD", "erp.currenct: unknown key"),
		("output.event_dates", "yesterday", "output.event_dates: expected 'absolute' or 'relative'"),
	],
)
def test_bad_values_name_the_key(path, value, message):
	assert message in error_for(mutated(path, value))


@pytest.mark.parametrize(
	("path", "message"),
	[
		("tiers.behaviour", "tiers.behaviour: missing required key"),
		("erp.renewal.points", "erp.renewal.points: missing required key"),
		("fit.intent.pages[1].pattern", "fit.intent.pages[1].pattern: missing required key"),
	],
)
def test_missing_keys_name_the_key(path, message):
	assert message in error_for(mutated(path, delete=True))


def test_a_level_not_in_order_is_refused():
	data = mutated("fit.seniority.order", ["intern", "assistant", "vp", "c_level", "director", "manager"])
	assert "fit.seniority.levels.individual: level is not listed in fit.seniority.order" in error_for(data)


def test_file_errors_name_the_file(tmp_path: Path):
	broken = tmp_path / "model.toml"
	broken.write_text("version = 1\n[tiers\n")
	with pytest.raises(ModelConfigError, match=r"model\.toml: not valid TOML"):
		ScoringModel.from_file(broken)
	with pytest.raises(ModelConfigError, match=r"missing\.toml: cannot read"):
		ScoringModel.from_file(tmp_path / "missing.toml")
	bad_key = tmp_path / "bad.toml"
	bad_key.write_text(DEFAULT_MODEL_FILE.read_text().replace("breadth_weight = 0.25", "breadth_weight = 2"))
	with pytest.raises(ModelConfigError, match=r"bad\.toml: company\.breadth_weight: must be <= 1"):
		ScoringModel.from_file(bad_key)


def test_a_retuned_copy_changes_the_scores_without_code(tmp_path: Path):
	from datetime import datetime, timezone

	from sidecar.scoring import LeadSignals

	as_of = datetime(2026, 11, 30, tzinfo=timezone.utc)
	custom = tmp_path / "model.toml"
	custom.write_text(
		DEFAULT_MODEL_FILE.read_text().replace(
			'[fit.seniority.levels.c_level]\nlabel = "C-level"\npoints = 14',
			'[fit.seniority.levels.c_level]\nlabel = "C-level"\npoints = 20',
		)
	)
	signals = LeadSignals(title="CTO")
	assert load_default_model().score(signals, as_of).tiers["fit"] == 18.0
	assert ScoringModel.from_file(custom).score(signals, as_of).tiers["fit"] == 24.0


def _leaf_keys(node, prefix=""):
	if isinstance(node, dict):
		for key, value in node.items():
			yield from _leaf_keys(value, f"{prefix}.{key}" if prefix else key)
	elif isinstance(node, list) and node and isinstance(node[0], dict):
		for item in node:
			yield from _leaf_keys(item, prefix + "[]")
	else:
		yield prefix


def test_every_config_key_is_documented_in_the_readme():
	readme = README.read_text()
	data = default_data()
	# Tables whose keys are user-chosen names (aliases, levels, groups, lines, signals, bands, fx) are documented
	# as a shape; their fixed inner keys must still appear.
	free_tables = (
		"fit.seniority.aliases.",
		"erp.fx_to_base.",
		"erp.product_interest.lines.",
		"output.bands.",
	)
	missing = set()
	for key in _leaf_keys(data):
		if key.startswith(free_tables):
			continue
		key = re.sub(
			r"^(fit\.seniority\.levels|behaviour\.signals|fit\.industry\.groups)\.[^.]+", r"\1.<name>", key
		)
		if f"`{key}`" not in readme:
			missing.add(key)
	assert not missing, f"keys not documented in {README.name}: {sorted(missing)}"
