"""The framework-free boundary: core and sidecar import with frappe/erpnext absent, and never name them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

FRAMEWORK_FREE = [REPO_ROOT / "revops_app" / "core", REPO_ROOT / "sidecar"]
FORBIDDEN = ("frappe", "erpnext")


def python_modules() -> list[str]:
	modules = []
	for root in FRAMEWORK_FREE:
		for path in sorted(root.rglob("*.py")):
			relative = path.relative_to(REPO_ROOT).with_suffix("")
			parts = list(relative.parts)
			if parts[-1] == "__init__":
				parts = parts[:-1]
			modules.append(".".join(parts))
	return modules


MODULES = python_modules()


def test_there_is_something_to_check():
	assert "revops_app.core" in MODULES and "sidecar.cli" in MODULES


@pytest.mark.parametrize("path", [p for root in FRAMEWORK_FREE for p in sorted(root.rglob("*.py"))], ids=str)
def test_no_framework_import_anywhere_in_the_file(path: Path):
	# Also catches imports inside functions, which an import-time check would miss.
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			names = [alias.name for alias in node.names]
		elif isinstance(node, ast.ImportFrom):
			names = [node.module or ""]
		else:
			continue
		for name in names:
			assert name.split(".")[0] not in FORBIDDEN, f"{path}:{node.lineno} imports {name}"


BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('frappe', 'erpnext'):
            raise ImportError(f'{name} is not available on this host')
        return None
sys.meta_path.insert(0, Block())
import importlib
failed = []
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except Exception as exc:
        failed.append(f'{module}: {type(exc).__name__}: {exc}')
print('\\n'.join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_without_frappe():
	result = subprocess.run(
		[sys.executable, "-c", BLOCKER, *MODULES], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
	)
	assert result.returncode == 0, result.stdout + result.stderr


def test_blocker_really_blocks():
	# The import check above is only meaningful if the blocker refuses frappe.
	result = subprocess.run(
		[sys.executable, "-c", BLOCKER, "frappe"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
	)
	assert result.returncode == 1 and "not available" in result.stdout
