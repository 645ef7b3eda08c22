"""SQL handoff: threshold crossings, owner routing, one HubSpot task per crossing (exactly once).

Contract (crossing.py, routing.py, task.py, delivery.py):
- `crossing_decision(state, score, threshold, rearm_margin, first_score_counts)` -> (crossed, rearm). A crossing
  is: the contact is armed, its previous score was below the threshold (or it has none and first scores count),
  and the new score is at/above it. After a crossing the contact is disarmed until its score drops below
  `threshold - rearm_margin` (hysteresis), so a score wobbling around the threshold never spams tasks.
- `OwnerRouter.route(territory, industry, product_lines)` -> (team, owner_id): the first `[[handoff.rules]]` match
  (territory, industry, product line), else `handoff.default_team`; within a team, round-robin over its owners
  (explicit ids/emails resolved via the owners API, or the members of a HubSpot team), pointer kept in the store.
- `build_task_properties(...)` -> the task's HubSpot properties: hs_task_subject, hs_task_body (score breakdown,
  latest activity date, firmographics, the ERP signals behind the score), hs_timestamp (due date, N business
  days), hs_task_priority, hs_task_status, hs_task_type, hubspot_owner_id and the idempotency key property.
- `deliver_handoffs(store, hubspot, ...)` drains the outbox. Exactly once per crossing, across crashes:
  1. the decision (state + handoff + outbox row) was committed before any call (Store.decide_handoff);
  2. each delivery attempt is counted in the outbox row BEFORE the call;
  3. a row that was attempted before is first reconciled: the contact's associated tasks (associations v4,
     consistent at once because the task is created with its association) are read for the key property, then
     tasks are searched by it (after `settle_seconds`: search is eventually consistent); a found task is reused;
  4. after the task exists, the contact owner is set (idempotent PATCH) and the row is marked done; for a lead
     whose company is an ERPNext customer the same transaction queues the ERPNext note (erp_notes.py), which
     `deliver_erp_notes` sends to the app's record_handoff (idempotent by the key) until it is recorded.
"""

from sidecar.handoff.crossing import add_business_days, crossing_decision
from sidecar.handoff.delivery import MAX_ATTEMPTS, DeliveryStats, deliver_handoffs
from sidecar.handoff.routing import OwnerRouter
from sidecar.handoff.task import build_task_properties

__all__ = [
	"MAX_ATTEMPTS",
	"DeliveryStats",
	"OwnerRouter",
	"add_business_days",
	"build_task_properties",
	"crossing_decision",
	"deliver_handoffs",
]
