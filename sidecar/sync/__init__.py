"""The sync pipeline: ERP signals + HubSpot contacts -> scores -> changed values to HubSpot -> SQL handoffs.

Contract (`Pipeline.run_pass(mode)`, mode "incremental" or "full"), one module per step, each over the typed
ports of ports.py (`HubSpotPort`, `ErpPort`, `StorePort`, `ModelPort`):
1. gather (gather.py, erp_feed.py, match.py): pull changed customers' signals page by page through
   `sidecar.erp` (one call per page, (modified, name) cursor; with no stored cursor the app's full pass by
   customer name, whose cursor carries its snapshot until it hands over to (snapshot, "")); cache them in the
   store (records + domain index); deletions drop the cached record. Then HubSpot: full = every contact and
   company through the list endpoint; incremental = contacts and companies modified since the last pass
   (search, id-cursor paging past 10k), the contacts of companies matching changed ERP customers, and
   contacts already matched to them. Match: company property `revops_erp_customer`, else company domain,
   else the contact's e-mail domain, against the cached ERP domains.
2. score (score.py): `sidecar.scoring` per contact; per company on full passes.
3. plan (plan.py, crossings.py, handoffs.py): the values to push (score, tiers, band, reasons, matched
   customer), hashed, kept only where the hash differs from the ledger; contact state, score history (when
   a contact's score moved), crossings -> routed handoff with its task.
4. write (write.py): state, history, each crossing's handoff decision + outbox row (one transaction), values
   in batches of <= 100 (failed records are recorded as errors and not written to the ledger, so the next
   pass retries them), the ledger, then the outbox is delivered (sidecar.handoff). The ERP cursor is saved
   only when the whole pass has succeeded, so a crash replays the pages (everything after is idempotent).
Dry run (`dry_run=True`, used by `plan` and `demo`): steps 1-3 run, nothing is written to HubSpot, ERPNext
or the store (cursors do not move); `PassResult.changes` / `.handoffs` say what would happen.
"""

from sidecar.sync.constants import (
	CONVERTED_STAGES,
	CURSOR_COMPANIES,
	CURSOR_CONTACTS,
	CURSOR_ERP,
	CURSOR_FULL,
	CURSOR_PROPERTIES,
	EXTRA_COMPANY_PROPERTIES,
	EXTRA_CONTACT_PROPERTIES,
	FREEMAIL,
	OVERLAP,
	PROPERTIES_VERSION,
)
from sidecar.sync.context import PassContext
from sidecar.sync.erp_feed import ErpIndex
from sidecar.sync.pipeline import Pipeline
from sidecar.sync.ports import ErpPort, HubSpotPort, ModelPort, StorePort
from sidecar.sync.result import PassResult, values_hash

__all__ = [
	"CONVERTED_STAGES",
	"CURSOR_COMPANIES",
	"CURSOR_CONTACTS",
	"CURSOR_ERP",
	"CURSOR_FULL",
	"CURSOR_PROPERTIES",
	"EXTRA_COMPANY_PROPERTIES",
	"EXTRA_CONTACT_PROPERTIES",
	"FREEMAIL",
	"OVERLAP",
	"PROPERTIES_VERSION",
	"ErpIndex",
	"ErpPort",
	"HubSpotPort",
	"ModelPort",
	"PassContext",
	"PassResult",
	"Pipeline",
	"StorePort",
	"values_hash",
]
