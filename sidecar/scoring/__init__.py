"""Framework-free lead scoring: three tiers (fit, behaviour, ERP), per-signal decay, explainable output.

Public API (used by the sync, the handoff and the demo):

- `CONTACT_PROPERTIES`, `COMPANY_PROPERTIES`: HubSpot property names to request.
- `build_signals(contact, company, erp, as_of) -> LeadSignals`, `build_company_signals(company, erp, as_of)`.
- `load_default_model()`, `ScoringModel.from_file(path)`, `ScoringModel.from_dict(data)`.
- `model.score(signals, as_of) -> ScoreResult`, `model.score_company(company_signals, contacts, as_of)`.
- `ModelConfigError` for a bad model config (the message names the key).

The weights and rules are data (`default_model.toml`, documented in README.md); this package is the engine.
"""

from sidecar.scoring.config import ModelConfig, ModelConfigError, load_model_config, parse_model_config
from sidecar.scoring.model import (
	DEFAULT_MODEL_FILE,
	Contribution,
	ScoreResult,
	ScoringModel,
	decay_factor,
	load_default_model,
)
from sidecar.scoring.signals import (
	COMPANY_PROPERTIES,
	CONTACT_PROPERTIES,
	EVENT_SOURCES,
	LeadSignals,
	build_company_signals,
	build_signals,
)

__all__ = [
	"COMPANY_PROPERTIES",
	"CONTACT_PROPERTIES",
	"DEFAULT_MODEL_FILE",
	"EVENT_SOURCES",
	"Contribution",
	"LeadSignals",
	"ModelConfig",
	"ModelConfigError",
	"ScoreResult",
	"ScoringModel",
	"build_company_signals",
	"build_signals",
	"decay_factor",
	"load_default_model",
	"load_model_config",
	"parse_model_config",
]
