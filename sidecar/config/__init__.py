"""One described, validated configuration for revops-sidecar.

Modules: setting.py (a setting, its checks, HubSpot tiers), settings_clients.py ([erp], [hubspot]),
settings_features.py ([store], [scoring], [handoff], [run], [cx]), rules.py (handoff rules and teams),
loader.py (`load_config`, `Config`, `describe`).

Contract:
- `load_config(path, env)` reads defaults, then the TOML file (if any), then environment overrides, and returns
  a frozen `Config`. Any bad value raises `ConfigError` whose message names the key (`hubspot.tier`) and
  what is expected; unknown keys are errors too (a typo must not silently fall back to a default).
- Every scalar setting `section.key` can be overridden by the environment variable `REVOPS_<SECTION>_<KEY>`
  (e.g. `REVOPS_HUBSPOT_TOKEN`, `REVOPS_ERP_API_KEY`, `REVOPS_ERP_API_SECRET`, `REVOPS_STORE_URL`).
- Secrets (`hubspot.token`, `erp.api_key`, `erp.api_secret`, `cx.webhook_secret`, `cx.typeform_secret`) are read from the
  environment only; a secret written in the file is refused. `describe()` and `Config.redacted()` never print them,
  nor the password of a `store.url`.
- HubSpot request limits come from the account tier (figures from tests/reference/hubspot/limits.md) and can
  be overridden one by one.
"""

from sidecar.config.loader import (
	DEFAULT_CONFIG_PATHS,
	EXAMPLE_CONFIG,
	SECTIONS,
	SETTINGS,
	Config,
	Section,
	describe,
	load_config,
	redact_url,
)
from sidecar.config.rules import HandoffRule, Team
from sidecar.config.setting import (
	CAPACITY_PACK_BURST,
	CAPACITY_PACK_DAILY,
	DEFAULT_STATE_DIR,
	ENV_PREFIX,
	HUBSPOT_TIERS,
	ConfigError,
	Setting,
)

__all__ = [
	"CAPACITY_PACK_BURST",
	"CAPACITY_PACK_DAILY",
	"DEFAULT_CONFIG_PATHS",
	"DEFAULT_STATE_DIR",
	"ENV_PREFIX",
	"EXAMPLE_CONFIG",
	"HUBSPOT_TIERS",
	"SECTIONS",
	"SETTINGS",
	"Config",
	"ConfigError",
	"HandoffRule",
	"Section",
	"Setting",
	"Team",
	"describe",
	"load_config",
	"redact_url",
]
