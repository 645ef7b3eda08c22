"""The exact words a person sees for each configuration mistake (through the loader and the CLI)."""

from __future__ import annotations

import sys

import pytest

from sidecar.cli import main
from sidecar.config import ConfigError, describe, load_config


def write(tmp_path, text: str):
	path = tmp_path / "c.toml"
	path.write_text(text)
	return path


def message(tmp_path, text: str = "", env: dict | None = None) -> str:
	with pytest.raises(ConfigError) as caught:
		load_config(write(tmp_path, text), env=env or {})
	return str(caught.value)


def test_a_wrong_type_says_what_the_value_must_be(tmp_path):
	source = tmp_path / "c.toml"
	cases = [
		(
			{"REVOPS_HUBSPOT_BATCH_SIZE": "lots"},
			"",
			"hubspot.batch_size (from env REVOPS_HUBSPOT_BATCH_SIZE) must be a whole number, got 'lots'",
		),
		(
			{"REVOPS_HANDOFF_ENABLED": "maybe"},
			"",
			"handoff.enabled (from env REVOPS_HANDOFF_ENABLED) must be true or false, got 'maybe'",
		),
		(
			{},
			"[hubspot]\nbudget_share = 'most'\n",
			f"hubspot.budget_share (from {source}) must be a number, got 'most'",
		),
		({}, "[erp]\nbase_url = 5\n", f"erp.base_url (from {source}) must be text, got 5"),
		(
			{},
			"[hubspot]\nbatch_size = 2.5\n",
			f"hubspot.batch_size (from {source}) must be a whole number, got 2.5",
		),
	]
	for env, text, expected in cases:
		assert message(tmp_path, text, env) == expected
	assert "invalid literal" not in message(tmp_path, env={"REVOPS_ERP_PAGE_SIZE": "lots"})


def test_a_value_out_of_range_says_the_range_in_words(tmp_path):
	source = tmp_path / "c.toml"
	assert message(tmp_path, "[hubspot]\nbudget_share = 0\n") == (
		f"hubspot.budget_share (from {source}) must be more than 0 and at most 1, got 0.0"
	)
	assert message(tmp_path, "[run]\ninterval_seconds = 0\n") == (
		f"run.interval_seconds (from {source}) must be more than 0, got 0.0"
	)


def test_unknown_keys_and_sections_get_the_closest_name(tmp_path):
	source = tmp_path / "c.toml"
	assert message(tmp_path, "[hubspot]\nbatchsize = 10\n") == (
		f"hubspot.batchsize (from {source}) is not a setting (did you mean batch_size?)"
	)
	assert message(tmp_path, "[hubsopt]\nbatch_size = 10\n") == (
		f"[hubsopt] (from {source}) is not a section (did you mean hubspot?); "
		"the sections are erp, hubspot, store, scoring, handoff, run, push, cx, learning"
	)
	assert message(tmp_path, "[store]\nzzz = 1\n") == (
		f"store.zzz (from {source}) is not a setting; [store] takes url, path, lock_ttl_seconds"
	)


def test_a_misspelt_environment_variable_is_refused_with_the_closest(tmp_path):
	assert message(tmp_path, env={"REVOPS_HUBSPOT_BATCHSIZE": "80"}) == (
		"unknown environment variable(s): REVOPS_HUBSPOT_BATCHSIZE (did you mean REVOPS_HUBSPOT_BATCH_SIZE?). "
		"Run `revops-sidecar config` for every setting's variable"
	)
	assert message(tmp_path, env={"REVOPS_NOTHING_LIKE_IT": "1"}) == (
		"unknown environment variable(s): REVOPS_NOTHING_LIKE_IT. Run `revops-sidecar config` for every setting's variable"
	)
	# REVOPS_CONFIG and the test database variable are read by name, not settings
	load_config(write(tmp_path, ""), env={"REVOPS_CONFIG": "x", "REVOPS_TEST_PG_URL": "postgresql://u@h/t"})


def test_a_secret_in_the_file_names_its_variable(tmp_path):
	assert message(tmp_path, '[hubspot]\ntoken = "pat-in-file"\n') == (
		f"hubspot.token (from {tmp_path / 'c.toml'}) is a secret, read from the environment only: "
		"remove it from the file and set REVOPS_HUBSPOT_TOKEN"
	)


def test_a_missing_file_says_how_to_write_one(tmp_path):
	with pytest.raises(ConfigError) as caught:
		load_config(tmp_path / "none.toml", env={})
	assert str(caught.value) == (
		f"config file {tmp_path / 'none.toml'} does not exist "
		f"(write one with `revops-sidecar config --example > {tmp_path / 'none.toml'}`)"
	)


def test_a_postgresql_store_without_its_driver_names_the_extra(tmp_path, monkeypatch):
	monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a host installed without the postgres extra
	assert message(tmp_path, env={"REVOPS_STORE_URL": "postgresql://u@db/revops"}) == (
		"store.url is a PostgreSQL URL but its driver, psycopg, is not installed: "
		'pip install "revops_app[sidecar,postgres]"'
	)
	load_config(write(tmp_path, ""), env={"REVOPS_STORE_URL": "sqlite:///x.db"})


def test_the_cli_prints_the_message_on_one_line_and_exits_2(tmp_path, capsys, monkeypatch):
	monkeypatch.setenv("REVOPS_HUBSPOT_BATCHSIZE", "80")
	assert main(["--config", str(write(tmp_path, "")), "status"]) == 2
	err = capsys.readouterr().err
	assert err == (
		"revops-sidecar: configuration error: unknown environment variable(s): REVOPS_HUBSPOT_BATCHSIZE "
		"(did you mean REVOPS_HUBSPOT_BATCH_SIZE?). Run `revops-sidecar config` for every setting's variable\n"
	)


def test_config_output_has_no_internal_wording():
	text = describe()
	assert "the issue" not in text and "C2" not in text
	assert (
		"searches_per_second = 4.0\n      CRM search requests per second (HubSpot documents 4/s per token; at most 5)"
		in text
	)
