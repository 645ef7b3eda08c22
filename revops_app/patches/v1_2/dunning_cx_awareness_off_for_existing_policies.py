"""RevOps Dunning Policy gained "Hold or Soften During Service Recovery" (cx_aware), on by default for new
policies. Policies that existed before keep sending exactly what they sent: the option starts off for them,
and a finance user turns it on deliberately (the column was added with its default, 1, on every row)."""

import frappe

POLICY = "RevOps Dunning Policy"


def execute() -> None:
	policy = frappe.qb.DocType(POLICY)
	frappe.qb.update(policy).set(policy.cx_aware, 0).run()
