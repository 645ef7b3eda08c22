"""Settlement decisions for gateway money against one Sales Invoice (framework-free).

Contract: pure functions from facts (invoice state, amounts, what is already posted) to a plan.
They never post, never read the database and never raise for business conditions: anything that must
not be posted automatically comes back as `HOLD` with a reason a finance user can act on, and the
glue records it in the integration log (Error) with nothing posted. Only malformed arguments (NaN,
negative amounts) raise ValueError.

- `payments.py`: `plan_payment` -> `SettlementPlan` (partial, over, fees, holds) on an `InvoiceState`.
- `refunds.py`: `plan_refund` -> `RefundPlan` from cumulative refunded totals (repeated and out-of-order
  events converge).
- `disputes.py`: `decide_dispute` -> `DisputeDecision` (flag, dunning pause, ToDo) and `dispute_status_after`.
  Money is not its business: `core/collections/dispute_money.plan_dispute_money` decides the
  withdrawal / reinstatement postings from the dispute's balance transactions.
- `customer.py`: `plan_customer_payment` -> `CustomerPaymentPlan`: one payment across several invoices of a
  customer (the customer page), oldest due first, the fee split so the shares add up exactly (`split_amount`).
- `common.py`: `SettlementAction` (POST / HOLD / ALREADY_SETTLED / SKIP), shared by every plan, and the
  argument checks.

Every public name is importable from this package as well as from its module.
"""

from __future__ import annotations

from revops_app.core.collections.allocation.common import ZERO, SettlementAction
from revops_app.core.collections.allocation.customer import (
	Allocation,
	CustomerPaymentPlan,
	OpenInvoice,
	allocation_order,
	plan_customer_payment,
	split_amount,
)
from revops_app.core.collections.allocation.disputes import (
	DISPUTE_LOST_STATUSES,
	DISPUTE_OPEN_STATUSES,
	DISPUTE_WON_STATUSES,
	DisputeDecision,
	decide_dispute,
	dispute_status_after,
)
from revops_app.core.collections.allocation.payments import InvoiceState, SettlementPlan, plan_payment
from revops_app.core.collections.allocation.refunds import RefundPlan, plan_refund

__all__ = [
	"DISPUTE_LOST_STATUSES",
	"DISPUTE_OPEN_STATUSES",
	"DISPUTE_WON_STATUSES",
	"ZERO",
	"Allocation",
	"CustomerPaymentPlan",
	"DisputeDecision",
	"InvoiceState",
	"OpenInvoice",
	"RefundPlan",
	"SettlementAction",
	"SettlementPlan",
	"allocation_order",
	"decide_dispute",
	"dispute_status_after",
	"plan_customer_payment",
	"plan_payment",
	"plan_refund",
	"split_amount",
]
