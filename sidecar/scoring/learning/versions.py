"""Model versions: `model promote` (the candidate becomes the live file, recorded with its provenance) and
`model rollback` (the previous live version back, byte for byte, from the store).

The live model is the file `[scoring] model_file` names; the store keeps every promoted file's content, hash
and provenance in `revops_model_versions`, so a rollback never depends on a file that may have been edited
or deleted. A file is validated by the real loader before it replaces the live one (modelfile.write_model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sidecar.scoring.learning.modelfile import model_version, read_provenance, write_model
from sidecar.scoring.model import DEFAULT_MODEL_FILE, ScoringModel


class PromotionError(ValueError):
	pass


def live_model_path(configured: str | None) -> Path:
	if not configured:
		raise PromotionError(
			"[scoring] model_file is empty (the bundled default is live and read-only): set it to the path "
			'the live model should be written to, e.g. model_file = "~/.revops/model.toml"'
		)
	return Path(configured).expanduser()


def ensure_recorded(store: Any, text: str, origin: str) -> str:
	"""Record a model file's content (once); returns its version."""
	version = model_version(text)
	prov = read_provenance(text) or {"origin": origin}
	store.add_model_version(version, text, prov)
	return version


def promote(store: Any, candidate: Path, live_path: Path) -> dict[str, str]:
	"""Validate the candidate, record the current live file and the candidate, write it live, mark it live."""
	text = candidate.read_text(encoding="utf-8")
	ScoringModel.from_file(candidate)  # raises ModelConfigError naming the bad key
	current = live_path.read_text(encoding="utf-8") if live_path.exists() else DEFAULT_MODEL_FILE.read_text()
	previous = ensure_recorded(store, current, str(live_path) if live_path.exists() else "bundled default")
	if not any(v["status"] == "live" for v in store.model_versions()):
		store.set_live_model(previous)
	version = ensure_recorded(store, text, str(candidate))
	if version == previous:
		raise PromotionError(f"{candidate} is already the live model (version {version})")
	live_path.parent.mkdir(parents=True, exist_ok=True)
	write_model(live_path, text, ScoringModel.from_file)
	store.set_live_model(version)
	return {"previous": previous, "live": version, "path": str(live_path)}


def rollback(store: Any, live_path: Path) -> dict[str, str]:
	"""Put back the version that was live before the current one."""
	versions = store.model_versions()
	live = next((v for v in versions if v["status"] == "live"), None)
	if live is None:
		raise PromotionError("no promoted model is recorded in the store: nothing to roll back to")
	earlier = [v for v in versions if v["status"] == "retired" and v["promoted_at"] and v["id"] != live["id"]]
	if not earlier:
		raise PromotionError(f"version {live['version']} is the first live model: nothing to roll back to")
	target = max(earlier, key=lambda v: v["promoted_at"])
	write_model(live_path, target["content"], ScoringModel.from_file)
	store.set_live_model(target["version"])
	return {"previous": live["version"], "live": target["version"], "path": str(live_path)}
