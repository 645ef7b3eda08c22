"""Every `from revops_app... import name` in the app, its bench tests and the benchmarks names something the
module defines. Frappe is not installed in CI, so the glue is never imported here; this reads the source
instead, so a moved or renamed function fails CI, not the first bench run or a customer's site."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.conftest import REPO_ROOT

SOURCES = [
	*sorted((REPO_ROOT / "revops_app").rglob("*.py")),
	*sorted((REPO_ROOT / "benchmarks").glob("*.py")),
]


def module_file(module: str) -> Path | None:
	base = REPO_ROOT.joinpath(*module.split("."))
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.is_file():
			return candidate
	return None


@cache
def defined_names(path: Path) -> frozenset[str]:
	"""Top-level names a module binds: definitions, assignments and its own imports."""
	names: set[str] = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign | ast.AnnAssign):
			targets = node.targets if isinstance(node, ast.Assign) else [node.target]
			names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
		elif isinstance(node, ast.Import | ast.ImportFrom):
			names |= {(a.asname or a.name).split(".")[0] for a in node.names}
	return frozenset(names)


def unresolved(path: Path) -> list[str]:
	errors = []
	for node in ast.walk(ast.parse(path.read_text())):
		if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("revops_app")):
			continue
		target = module_file(node.module)
		if target is None:
			errors.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} no module {node.module}")
			continue
		for alias in node.names:
			submodule = module_file(f"{node.module}.{alias.name}")
			if alias.name not in defined_names(target) and submodule is None:
				errors.append(
					f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.module} has no {alias.name}"
				)
	return errors


def test_every_app_import_names_something_that_exists():
	errors = [error for path in SOURCES for error in unresolved(path)]
	assert not errors, "\n".join(errors)


def test_the_check_finds_a_missing_name(tmp_path):
	probe = REPO_ROOT / "revops_app" / "_probe_import_check.py"
	probe.write_text("from revops_app.revops.schema import NO_SUCH_NAME\n")
	try:
		assert unresolved(probe) == [
			"revops_app/_probe_import_check.py:1 revops_app.revops.schema has no NO_SUCH_NAME"
		]
	finally:
		probe.unlink()


def module_name(path: Path) -> str:
	parts = path.relative_to(REPO_ROOT).with_suffix("").parts
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
	"""module -> the revops_app modules it imports at module level (function-local imports excluded)."""
	graph: dict[str, set[str]] = {}
	for path in sorted((REPO_ROOT / "revops_app").rglob("*.py")):
		edges: set[str] = set()
		for node in ast.parse(path.read_text()).body:
			if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("revops_app"):
				for alias in node.names:
					submodule = f"{node.module}.{alias.name}"
					edges.add(submodule if module_file(submodule) else node.module)
			elif isinstance(node, ast.Import):
				edges |= {a.name for a in node.names if a.name.startswith("revops_app")}
		graph[module_name(path)] = edges
	return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
	state: dict[str, int] = {}  # 1 = on the current path, 2 = done
	path: list[str] = []

	def visit(node: str) -> list[str] | None:
		state[node] = 1
		path.append(node)
		for nxt in sorted(graph.get(node, ())):
			if state.get(nxt) == 1:
				return [*path[path.index(nxt) :], nxt]
			if nxt not in state and (cycle := visit(nxt)):
				return cycle
		path.pop()
		state[node] = 2
		return None

	for node in sorted(graph):
		if node not in state and (cycle := visit(node)):
			return cycle
	return None


def test_the_app_has_no_import_cycles():
	assert find_cycle(import_graph()) is None, " -> ".join(find_cycle(import_graph()) or [])


def test_the_cycle_check_sees_a_cycle():
	assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
	assert find_cycle({"a": {"b"}, "b": set()}) is None
