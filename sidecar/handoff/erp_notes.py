"""Tell ERPNext about handoffs of leads whose company is an ERPNext customer: the customer timeline shows them
(with links to the HubSpot task and contact) and the signals feed reports the first order after each.

Contract
- `erp_note(...)` builds what the outbox row carries, at decision time: customer, contact id and name, owner
  (e-mail or name), team, score, task subject. `Store.complete_handoff(..., erp_note=...)` queues it in the
  transaction that marks the task delivered (outbox kind "erp_handoff", key "erp:<handoff key>"), adding the
  crossing time and the task id; a handoff with no ERP customer, or with `handoff.notify_erp` off, queues none.
- `deliver_erp_notes(store, erp, portal_id)` drains those rows through `ErpClient.record_handoff` (the app's
  endpoint is idempotent by the key, so a call whose answer was lost is simply made again and answers
  "duplicate"). Each attempt is counted before the call; a failure stays pending with its error (shown by
  `status`) and is retried by the next pass; a definite 4xx other than 429 gives up after MAX_ATTEMPTS (a
  customer deleted in ERPNext, an integration user without the role). ERP being down never blocks a pass.
- Links: with `hubspot.portal_id` set, contact_url = CONTACT_URL and task_url = TASK_URL filled in; without it
  the record carries the ids only and the timeline row links to the ERPNext record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sidecar.erp.errors import ErpError

log = logging.getLogger(__name__)
KIND = "erp_handoff"
MAX_ATTEMPTS = 10
CONTACT_URL = "https://app.hubspot.com/contacts/{portal_id}/record/0-1/{contact_id}"
TASK_URL = "https://app.hubspot.com/tasks/{portal_id}/view/all/task/{task_id}"


@dataclass
class NoteStats:
	recorded: int = 0
	duplicates: int = 0
	failed: int = 0  # given up (definite 4xx, MAX_ATTEMPTS times)
	errors: dict[str, str] = field(default_factory=dict)


def erp_note(
	customer: str,
	contact: dict[str, Any],
	owner: dict[str, Any] | None,
	team: str | None,
	score: float,
	subject: str,
) -> dict[str, Any]:
	props = contact.get("properties") or {}
	name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p) or props.get("email")
	owner_label = None
	if owner:
		owner_label = owner.get("email") or " ".join(
			p for p in (owner.get("firstName"), owner.get("lastName")) if p
		)
	return {
		"customer": customer,
		"contact_id": str(contact["id"]),
		"contact_name": (name or None) and str(name)[:140],
		"owner": owner_label or None,
		"team": team or None,
		"score": round(float(score), 2),
		"subject": subject[:140],
	}


def with_links(note: dict[str, Any], portal_id: str) -> dict[str, Any]:
	if not portal_id:
		return dict(note)
	out = dict(note, contact_url=CONTACT_URL.format(portal_id=portal_id, contact_id=note["contact_id"]))
	if note.get("task_id"):
		out["task_url"] = TASK_URL.format(portal_id=portal_id, task_id=note["task_id"])
	return out


def deliver_erp_notes(store: Any, erp: Any, portal_id: str = "") -> NoteStats:
	stats = NoteStats()
	for row in store.pending_outbox(KIND):
		attempts = store.outbox_attempt(row["key"])
		try:
			answer = erp.record_handoff(with_links(row["payload"], portal_id))
		except ErpError as exc:
			definite = exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
			give_up = definite and attempts >= MAX_ATTEMPTS
			store.outbox_error(row["key"], str(exc), give_up=give_up)
			stats.failed += int(give_up)
			stats.errors[row["key"]] = str(exc)
			log.warning("ERPNext did not record handoff %s: %s", row["payload"].get("handoff_key"), exc)
			if exc.status is None or exc.status >= 500 or exc.status == 429:
				break  # ERPNext unreachable or busy: the rest waits for the next pass
			continue
		store.finish_outbox(row["key"], answer)
		if answer.get("status") == "duplicate":
			stats.duplicates += 1
		else:
			stats.recorded += 1
	return stats
