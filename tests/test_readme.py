"""README.md stays true: its links lead somewhere, its commands exist, its settings labels are the real ones."""

from __future__ import annotations

import json
import re

from sidecar.cli import build_parser
from tests.conftest import APP_DIR, REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def test_relative_links_and_anchors_resolve():
	anchors = set()
	for heading in re.findall(r"^#{2,3} (.+)$", README, re.M):
		slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
		anchors.add(slug)
	for target in re.findall(r"\]\(([^)]+)\)", README):
		if target.startswith(("http://", "https://")):
			continue
		if target.startswith("#"):
			assert target[1:] in anchors, target
		else:
			assert (REPO_ROOT / target).exists(), target


def test_every_feature_readme_is_linked():
	for path in sorted(REPO_ROOT.glob("revops_app/**/README.md")) + sorted(
		REPO_ROOT.glob("sidecar/**/README.md")
	):
		assert f"({path.relative_to(REPO_ROOT)})" in README, path


def test_sidecar_commands_named_exist():
	parser = build_parser()
	choices = next(a for a in parser._actions if hasattr(a, "choices") and a.choices).choices
	for command in set(re.findall(r"revops-sidecar ([a-z][a-z-]+)", README)):
		assert command in choices, command


def test_settings_labels_are_the_doctypes():
	settings = json.loads((APP_DIR / "revops/doctype/revops_settings/revops_settings.json").read_text())
	labels = {f.get("label") for f in settings["fields"]}
	table = README.split("## Configure", 1)[1].split("Every inbound event", 1)[0]
	for row in re.findall(r"^\| ([^|]+) \|", table, re.M)[1:]:
		if set(row.strip()) <= {"-"}:
			continue
		for label in re.sub(r" \(tab \w+\)$", "", row.strip()).split(", "):
			assert label.strip() in labels, label
	for bold in (
		"Enable Dunning",
		"Enable CX Rules",
		"Enable Stripe Pay Links",
		"Create Pay Link on Invoice Submit",
	):
		assert bold in labels
	assert "Dunning Enabled" not in README
