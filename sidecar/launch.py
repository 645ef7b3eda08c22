"""The `revops-sidecar` console script: the CLI, or one clear line when the sidecar's dependencies are missing.

One distribution ships both the Frappe app and the sidecar, and a console script cannot depend on an extra:
`pip install .` (what a bench does) installs this script without SQLAlchemy, requests or hubspot-api-client.
Rather than a ModuleNotFoundError traceback, the script then says what to install. Nothing heavy is imported
before that check.
"""

from __future__ import annotations

import importlib.util
import sys

# The `sidecar` extra in pyproject.toml: import name -> distribution name.
SIDECAR_DEPENDENCIES = {
	"sqlalchemy": "SQLAlchemy",
	"requests": "requests",
	"hubspot": "hubspot-api-client",
	"tqdm": "tqdm",
	"sklearn": "scikit-learn",
	"tomlkit": "tomlkit",
}
if sys.version_info < (3, 11):
	SIDECAR_DEPENDENCIES["tomli"] = "tomli"
INSTALL_HINT = (
	"revops-sidecar: the sidecar's dependencies are not installed (missing: {missing}).\n"
	'Install them next to this script: pip install "revops_app[sidecar]" '
	'(from a clone: pip install ".[sidecar]"; add ",postgres" for a PostgreSQL store).'
)


def missing_dependencies() -> list[str]:
	return [dist for module, dist in SIDECAR_DEPENDENCIES.items() if importlib.util.find_spec(module) is None]


def main(argv: list[str] | None = None) -> int:
	missing = missing_dependencies()
	if missing:
		print(INSTALL_HINT.format(missing=", ".join(missing)), file=sys.stderr)
		return 2
	from sidecar.cli import main as cli_main

	return cli_main(argv)


if __name__ == "__main__":
	sys.exit(main())
