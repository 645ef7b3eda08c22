"""A disputed payment that paid several invoices (a customer page receipt): which invoices' links are
flagged, and the one status they all get (a closed status on any of them is final)."""

from __future__ import annotations

import pytest

from revops_app.core.collections.allocation.disputes import (
	LinkDispute,
	decide_dispute,
	dispute_status_for,
	disputed_invoices,
)


def test_the_money_invoice_first_then_every_other_invoice_paid_once():
	assert disputed_invoices("SINV-2", ["SINV-1", "SINV-2", "SINV-3", "SINV-1", ""]) == (
		"SINV-2",
		"SINV-1",
		"SINV-3",
	)
	assert disputed_invoices("SINV-1", []) == ("SINV-1",)
	with pytest.raises(ValueError):
		disputed_invoices("", ["SINV-1"])


def links(*pairs):
	return [LinkDispute(f"SINV-{n}", dispute_id, status) for n, (dispute_id, status) in enumerate(pairs)]


@pytest.mark.parametrize(
	("held", "incoming", "expected"),
	[
		(links((None, None), (None, None)), "needs_response", "needs_response"),
		(links(("du_1", "needs_response"), (None, None)), "under_review", "under_review"),
		# the first link was closed by an earlier delivery: final for all of them
		(links(("du_1", "won"), ("du_1", "needs_response")), "needs_response", "won"),
		(links(("du_1", "needs_response"), ("du_1", "lost")), "under_review", "lost"),
		# another dispute's status on a link does not hold this one back
		(links(("du_other", "won"), (None, None)), "needs_response", "needs_response"),
		(links(("du_1", "needs_response"), ("du_1", "needs_response")), "won", "won"),
		([], "won", "won"),
	],
)
def test_one_status_for_every_link_of_the_dispute(held, incoming, expected):
	assert dispute_status_for(held, "du_1", incoming) == expected


def test_won_clears_and_open_flags_every_link():
	held = links(("du_1", "needs_response"), ("du_1", "needs_response"))
	assert decide_dispute(dispute_status_for(held, "du_1", "won")).disputed is False
	assert decide_dispute(dispute_status_for(links((None, None)), "du_1", "needs_response")).disputed
