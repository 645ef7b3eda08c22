"""Packaging: one release version, the license metadata, lean dependencies, and the console script's answer
when the sidecar's dependencies are missing (a plain `pip install .`, as a bench does)."""

from __future__ import annotations

import re
import subprocess
import sys

import revops_app
import sidecar
from sidecar.launch import INSTALL_HINT
from tests.conftest import REPO_ROOT

if sys.version_info >= (3, 11):
	import tomllib
else:
	import tomli as tomllib

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def run_script(*args: str, blocked: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
	"""`revops-sidecar` in a fresh interpreter, with the named modules made unimportable."""
	code = (
		"import sys\n"
		f"for name in {blocked!r}: sys.modules[name] = None\n"
		"from sidecar.launch import main\n"
		f"sys.exit(main({list(args)!r}))\n"
	)
	return subprocess.run(
		[sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
	)


def test_one_version_for_the_app_and_the_sidecar_with_a_changelog_entry():
	assert sidecar.__version__ == revops_app.__version__
	assert re.fullmatch(r"\d+\.\d+\.\d+", revops_app.__version__)
	changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
	assert f"## [{revops_app.__version__}] - " in changelog


def test_license_is_a_pep_639_expression_with_the_file():
	project = PYPROJECT["project"]
	assert project["license"] == "MIT"
	assert project["license-files"] == ["LICENSE"]
	assert (REPO_ROOT / "LICENSE").read_text().startswith("MIT License")
	assert "setuptools>=77" in PYPROJECT["build-system"]["requires"][0]


def test_the_apps_own_install_stays_lean_and_psycopg_is_only_for_postgres():
	project = PYPROJECT["project"]
	assert [re.split(r"[<>=]", dep)[0] for dep in project["dependencies"]] == ["stripe"]
	extras = project["optional-dependencies"]
	assert not any("psycopg" in dep for dep in extras["sidecar"])
	assert [dep.split("[")[0] for dep in extras["postgres"]] == ["psycopg"]
	assert project["scripts"]["revops-sidecar"] == "sidecar.launch:main"


def test_make_demo_installs_the_sidecar_without_test_tools():
	makefile = (REPO_ROOT / "Makefile").read_text()
	demo_rule = makefile.split("$(DEMO_STAMP): ")[1].split("\n\n")[0]
	assert '-e ".[sidecar]"' in demo_rule
	assert "test" not in demo_rule.split("install", 1)[1]
	assert re.search(r"^demo: \$\(DEMO_STAMP\)$", makefile, re.M)


def test_script_without_the_sidecar_extra_says_what_to_install():
	result = run_script("--help", blocked=("sqlalchemy", "hubspot"))
	assert result.returncode == 2
	assert result.stdout == ""
	assert result.stderr == INSTALL_HINT.format(missing="SQLAlchemy, hubspot-api-client") + "\n"
	assert result.stderr.startswith(
		"revops-sidecar: the sidecar's dependencies are not installed (missing: SQLAlchemy, hubspot-api-client).\n"
		'Install them next to this script: pip install "revops_app[sidecar]"'
	)
	assert "Traceback" not in result.stderr


def test_script_with_the_extra_shows_the_help():
	result = run_script("--help")
	assert result.returncode == 0, result.stderr
	assert result.stdout.startswith("usage: revops-sidecar")
