"""Sidecar configuration: defaults, file, environment, validation messages, secrets, tier limits."""

from __future__ import annotations

import pytest

from sidecar.config import EXAMPLE_CONFIG, SETTINGS, ConfigError, describe, load_config

ENV = {
	"REVOPS_HUBSPOT_TOKEN": "pat-secret-123",
	"REVOPS_ERP_API_KEY": "k",
	"REVOPS_ERP_API_SECRET": "s-secret",
}


def write(tmp_path, text: str):
	path = tmp_path / "c.toml"
	path.write_text(text)
	return path


def test_example_file_loads_and_is_complete():
	cfg = load_config(EXAMPLE_CONFIG, env=ENV)
	assert cfg.get("hubspot.tier") == "professional"
	assert cfg.rules[0].team == "dach" and cfg.teams["industrial"].hubspot_team == "Industrial BDRs"
	assert cfg.hubspot.token == "pat-secret-123"


def test_every_setting_is_described_with_its_env_variable():
	text = describe()
	for s in SETTINGS:
		assert f"{s.key} = " in text and s.env in text
		assert s.help


def test_env_overrides_file(tmp_path):
	path = write(tmp_path, '[store]\nurl = "sqlite:///x.db"\n[hubspot]\nbatch_size = 50\n')
	cfg = load_config(
		path, env=dict(ENV, REVOPS_STORE_URL="postgresql+psycopg://u@h/db", REVOPS_HUBSPOT_BATCH_SIZE="80")
	)
	assert cfg.store_url() == "postgresql+psycopg://u@h/db"
	assert cfg.get("hubspot.batch_size") == 80


def test_default_store_is_a_sqlite_file(tmp_path):
	cfg = load_config(write(tmp_path, f'[store]\npath = "{tmp_path / "s.sqlite3"}"\n'), env={})
	assert cfg.store_url() == f"sqlite:///{tmp_path / 's.sqlite3'}"


@pytest.mark.parametrize(
	("text", "env", "needle"),
	[
		("[hubspot]\nbatch_size = 101\n", {}, "hubspot.batch_size"),
		('[hubspot]\ntier = "gold"\n', {}, "hubspot.tier"),
		("[hubspot]\nbogus = 1\n", {}, "hubspot.bogus"),
		("[nope]\nx = 1\n", {}, "nope"),
		('[hubspot]\ntoken = "pat-in-file"\n', {}, "REVOPS_HUBSPOT_TOKEN"),
		("", {"REVOPS_ERP_PAGE_SIZE": "lots"}, "erp.page_size"),
		("", {"REVOPS_HANDOFF_ENABLED": "maybe"}, "handoff.enabled"),
		('[erp]\nbase_url = "erp.example.com"\n', {}, "erp.base_url"),
		('[[handoff.rules]]\nterritory = "X"\nteam = "ghost"\n', {}, "handoff.rules[0].team"),
		('[handoff.teams.a]\nowners = "x"\n', {}, "handoff.teams.a.owners"),
		('[handoff]\ndefault_team = "ghost"\n', {}, "handoff.default_team"),
		("[scoring]\nsql_threshold = 120\n", {}, "scoring.sql_threshold"),
		("not toml [", {}, "not valid TOML"),
	],
)
def test_bad_values_name_the_key(tmp_path, text, env, needle):
	with pytest.raises(ConfigError) as exc:
		load_config(write(tmp_path, text), env=env)
	assert needle in str(exc.value)
	assert "pat-in-file" not in str(exc.value)


def test_secrets_never_printed(tmp_path):
	cfg = load_config(write(tmp_path, ""), env=ENV)
	text = describe(cfg) + repr(cfg.redacted())
	assert "pat-secret-123" not in text and "s-secret" not in text
	assert cfg.redacted()["hubspot.token"] == "<set>"
	with pytest.raises(ConfigError, match="REVOPS_HUBSPOT_TOKEN"):
		load_config(write(tmp_path, ""), env={}).require("hubspot.token")


def test_store_url_password_never_printed(tmp_path):
	url = "postgresql+psycopg://revops:hunter2-pw@db.example:5432/revops"
	cfg = load_config(write(tmp_path, ""), env=dict(ENV, REVOPS_STORE_URL=url))
	assert cfg.store_url() == url  # the store still connects with the real password
	text = describe(cfg) + repr(cfg.redacted())
	assert "hunter2-pw" not in text
	assert "postgresql+psycopg://revops:***@db.example:5432/revops" in text
	passwordless = load_config(write(tmp_path, '[store]\nurl = "postgresql+psycopg://u@h/db"\n'), env={})
	assert passwordless.redacted()["store.url"] == "postgresql+psycopg://u@h/db"


def test_tier_limits_from_limits_md(tmp_path):
	def limits(text: str):
		return load_config(write(tmp_path, text), env={}).hubspot_limits()

	assert limits('[hubspot]\ntier = "free"\nbudget_share = 1.0\n') == (4.0, 100, 250_000)
	assert limits('[hubspot]\ntier = "professional"\nbudget_share = 1.0\n') == (4.0, 190, 650_000)
	assert limits('[hubspot]\ntier = "enterprise"\ncapacity_packs = 2\nbudget_share = 1.0\n') == (
		4.0,
		250,
		3_000_000,
	)
	assert limits('[hubspot]\ntier = "enterprise"\n') == (4.0, 190, 800_000)  # 80 % share by default
	assert limits("[hubspot]\nburst_per_10s = 50\ndaily_budget = 1000\nsearches_per_second = 5\n") == (
		5.0,
		50,
		1000,
	)
	with pytest.raises(ConfigError, match=r"hubspot\.searches_per_second"):
		limits("[hubspot]\nsearches_per_second = 6\n")
