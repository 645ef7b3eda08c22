"""Patch: indexes the sidecar signals feed needs on existing sites (new sites get them at install).

Sales Invoice (due_date, customer) for the overdue crossings, Payment Entry / Contract / Opportunity by
party and Issue (opening_date, customer); see revops_app.revops.install.SIGNALS_INDEXES. Idempotent.
"""

from revops_app.revops.install import add_signals_indexes


def execute() -> None:
	add_signals_indexes()
