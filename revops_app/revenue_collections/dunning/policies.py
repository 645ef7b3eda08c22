"""Dunning policies in the desk: RevOps Dunning Policy validation, which policy applies to whom, and who may
change a Customer's dunning fields.

Contract
- `validate_policy(doc)` / `keep_single_default(doc)`: RevOps Dunning Policy controller hooks (the engine's
  step checks, one enabled policy per customer group, one default).
- `load_policies()` reads every enabled policy with its steps and groups in three set-based queries and
  returns a `PolicySet` (policy by customer, else by customer group, else the default; broken policies
  are left out with the reason, and a customer naming one never falls through to a harsher policy).
- Each policy's CX awareness (hold or soften reminders during service recovery) is read into
  `PolicySet.cx_rules` (`revops_app.core.collections.dunning_cx`), its promise settings (offered, how far
  ahead, the broken-promise step) into `PolicySet.promise_rules` (`core.collections.promises`).
- `guard_customer_dunning_fields` (Customer validate, doc_events): only Accounts Manager / System Manager
  change a customer's policy, pause or opt-out.
"""

from dataclasses import dataclass, field
from typing import Any

import frappe
from frappe import _
from frappe.utils import cint

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import dunning_cx
from revops_app.core.collections import promises as promise_core
from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_FIELDS,
	DUNNING_MANAGER_ROLES,
	DUNNING_POLICY_DOCTYPE,
	DUNNING_POLICY_GROUP_DOCTYPE,
	DUNNING_POLICY_STEP_DOCTYPE,
)

# --- policies -------------------------------------------------------------------------------------


def validate_policy(doc: Any) -> None:
	"""RevOps Dunning Policy.validate: the engine's checks, one policy per customer group."""
	steps = tuple(engine.step_from_row(row) for row in doc.get("steps") or [])
	errors = engine.policy_errors(doc.name or doc.policy_name, steps, cint(doc.max_attempts or 0) or 1)
	groups = [row.customer_group for row in doc.get("customer_groups") or []]
	duplicates = sorted({g for g in groups if groups.count(g) > 1})
	if duplicates:
		errors.append(_("customer groups listed twice: {0}").format(", ".join(duplicates)))
	if groups and cint(doc.enabled):
		taken = frappe.db.sql(
			f"""
			SELECT g.customer_group, g.parent FROM `tab{DUNNING_POLICY_GROUP_DOCTYPE}` g
			JOIN `tab{DUNNING_POLICY_DOCTYPE}` p ON p.name = g.parent
			WHERE g.parenttype = %(parenttype)s AND p.enabled = 1 AND g.parent != %(name)s
				AND g.customer_group IN %(groups)s
			""",
			{"parenttype": DUNNING_POLICY_DOCTYPE, "name": doc.name or "", "groups": tuple(groups)},
		)
		errors.extend(
			_("customer group {0} already follows policy {1}").format(group, policy)
			for group, policy in taken
		)
	errors.extend(dunning_cx.rule_errors(dunning_cx.rule_from_row(doc)))
	errors.extend(promise_core.rule_errors(promise_core.rule_from_row(doc), (s.name for s in steps)))
	if cint(doc.is_default) and not cint(doc.enabled):
		errors.append(_("the default policy must be enabled"))
	if errors:
		frappe.throw("<br>".join(errors), title=_("Invalid dunning policy"))


def keep_single_default(doc: Any) -> None:
	if cint(doc.is_default):
		frappe.db.sql(
			f"UPDATE `tab{DUNNING_POLICY_DOCTYPE}` SET is_default = 0 WHERE name != %(name)s AND is_default = 1",
			{"name": doc.name},
		)


@dataclass
class PolicySet:
	policies: dict[str, engine.Policy]
	by_group: dict[str, str]
	default: str | None
	collectors: dict[str, str | None]
	broken: dict[str, str] = field(default_factory=dict)  # policy -> why it was left out
	cx_rules: dict[str, dunning_cx.CXRule] = field(default_factory=dict)  # policy -> its CX awareness
	# policy -> promises offered, how far ahead, the broken-promise step (core.collections.promises)
	promise_rules: dict[str, promise_core.PromiseRule] = field(default_factory=dict)

	def policy_for(self, own: str | None, group: str | None) -> str | None:
		if own and own in self.policies:
			return own
		if own:  # names a disabled or broken policy: never fall through to a harsher one silently
			return own
		return self.by_group.get(group or "") or self.default


def load_policies() -> PolicySet:
	"""Every enabled policy with its steps and groups, in three set-based queries."""
	heads = frappe.db.sql(
		f"""SELECT name, is_default, max_attempts, collector, cx_aware, cx_action, cx_detractor_days,
			cx_soft_template, allow_customer_promises, max_promise_days, broken_promise_step
		FROM `tab{DUNNING_POLICY_DOCTYPE}`
		WHERE enabled = 1 ORDER BY name""",
		as_dict=True,
	)
	names = tuple(h.name for h in heads) or ("",)
	step_rows = frappe.db.sql(
		f"""SELECT * FROM `tab{DUNNING_POLICY_STEP_DOCTYPE}`
		WHERE parenttype = %(parenttype)s AND parent IN %(names)s ORDER BY parent, idx""",
		{"parenttype": DUNNING_POLICY_DOCTYPE, "names": names},
		as_dict=True,
	)
	group_rows = frappe.db.sql(
		f"""SELECT parent, customer_group FROM `tab{DUNNING_POLICY_GROUP_DOCTYPE}`
		WHERE parenttype = %(parenttype)s AND parent IN %(names)s""",
		{"parenttype": DUNNING_POLICY_DOCTYPE, "names": names},
		as_dict=True,
	)
	steps: dict[str, list[engine.Step]] = {}
	for row in step_rows:
		steps.setdefault(row.parent, []).append(engine.step_from_row(row))
	policies, broken = {}, {}
	for head in heads:
		try:
			policies[head.name] = engine.Policy(
				head.name, tuple(steps.get(head.name, ())), cint(head.max_attempts) or 1
			)
		except engine.PolicyError as error:
			broken[head.name] = str(error)
	default = next((h.name for h in heads if cint(h.is_default) and h.name in policies), None)
	return PolicySet(
		policies=policies,
		by_group={row.customer_group: row.parent for row in group_rows if row.parent in policies},
		default=default,
		collectors={h.name: h.collector for h in heads},
		broken=broken,
		cx_rules={h.name: dunning_cx.rule_from_row(h) for h in heads if h.name in policies},
		promise_rules={h.name: promise_core.rule_from_row(h) for h in heads if h.name in policies},
	)


def guard_customer_dunning_fields(doc: Any, method: str | None = None) -> None:
	"""Customer validate hook: only Accounts Manager / System Manager change policy, pause or opt-out."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.session.user == "Administrator":
		return
	before = doc.get_doc_before_save() if not doc.is_new() else None
	changed = [
		fieldname
		for fieldname in CUSTOMER_DUNNING_FIELDS
		if _plain(before.get(fieldname) if before else None) != _plain(doc.get(fieldname))
	]
	if changed and not set(DUNNING_MANAGER_ROLES) & set(frappe.get_roles()):
		frappe.throw(
			_("Only an Accounts Manager can change a customer's dunning policy, pause or opt-out."),
			frappe.PermissionError,
		)


def _plain(value: Any) -> str:
	# Dates arrive as date objects from the database and as strings from the form; 0/None/"" are all unset.
	return "" if value in (None, "", 0, "0") else str(value)
