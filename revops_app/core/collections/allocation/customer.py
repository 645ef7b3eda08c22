"""One gateway payment across several Sales Invoices of one customer (the customer page), framework-free.

- `plan_customer_payment(invoices, *, amount, currency, fee, already_posted, fee_currency=None)`
  -> CustomerPaymentPlan. `invoices` are the invoices the customer chose (InvoiceState with due dates);
  the payment is allocated to them oldest due first (due date, then posting date, then name), each up
  to its outstanding amount, so a part payment ("chosen amount") settles the oldest invoices in full
  and the next one partly. Invoices that can no longer take money (paid meanwhile, cancelled, a
  return, another currency, or a `problem` the glue found: another customer's, another receivable account)
  are skipped with a note; what no chosen invoice can take stays unallocated
  (flag "overpayment", kept on the Payment Entry for finance). The same HOLDs as the one-invoice plan:
  a payment in another currency than every invoice, a fee larger than the payment, no invoice at all.
  `already_posted` -> ALREADY_SETTLED, checked first (a duplicate or replayed event is a no-op).
- The fee is split across the allocation rows (and the unallocated rest) in proportion to their amounts,
  rounded to the currency's minor unit by the largest-remainder rule, so the shares add up to the fee
  exactly: `split_amount(total, weights, places)` is that rule, usable on its own.
- Mapping to one ERPNext Receive Payment Entry: one reference row per allocation (several rows per
  invoice when it has payment terms, split by the glue in ERPNext's own row order), paid_amount =
  plan.net_amount, one deduction row per fee share (they add up to plan.fee_amount), unallocated =
  plan.unallocated_amount; sum(allocated) + unallocated = plan.paid_amount = net + fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from revops_app.core.collections.allocation.common import ZERO, SettlementAction, as_money, same_currency
from revops_app.core.gateway.money import currency_exponent


@dataclass(frozen=True)
class OpenInvoice:
	"""A chosen invoice as settlement reads it under the lock (docstatus 0 draft, 1 submitted, 2 cancelled)."""

	name: str
	currency: str
	outstanding_amount: Decimal
	due_date: date | None
	posting_date: date | None = None
	docstatus: int = 1
	is_return: bool = False
	problem: str | None = None  # why the glue found it cannot take this payment (another customer, ...)


@dataclass(frozen=True)
class Allocation:
	invoice: str
	amount: Decimal
	fee_share: Decimal
	outstanding_before: Decimal

	@property
	def settles_in_full(self) -> bool:
		return self.amount == self.outstanding_before


@dataclass(frozen=True)
class CustomerPaymentPlan:
	action: SettlementAction
	allocations: tuple[Allocation, ...]
	unallocated_amount: Decimal
	unallocated_fee_share: Decimal
	fee_amount: Decimal
	paid_amount: Decimal
	reason: str
	flags: tuple[str, ...] = ()
	skipped: tuple[str, ...] = ()  # "INV: why" for chosen invoices that took nothing

	@property
	def allocated_amount(self) -> Decimal:
		return sum((a.amount for a in self.allocations), ZERO)

	@property
	def net_amount(self) -> Decimal:
		return self.paid_amount - self.fee_amount


def split_amount(total: Decimal, weights: list[Decimal], places: int) -> list[Decimal]:
	"""`total` split in proportion to `weights`, each part rounded to `places` decimals, the parts adding up
	to `total` exactly (largest remainder: the rounding units left over go to the largest fractions, ties to
	the earlier weight). All weights zero -> the whole total on the first part. Weights must be >= 0."""
	total = as_money(total, "total")
	if not weights:
		if total:
			raise ValueError("a non-zero total needs at least one weight")
		return []
	values = [as_money(w, "weight") for w in weights]
	if any(w < 0 for w in values):
		raise ValueError("weights must not be negative")
	unit = Decimal(1).scaleb(-places)
	units = int((total / unit).to_integral_value())
	if Decimal(units) * unit != total:
		raise ValueError(f"total {total} has more than {places} decimal places")
	weight_sum = sum(values, ZERO)
	if weight_sum == 0:
		return [total] + [ZERO.quantize(unit)] * (len(values) - 1)
	raw = [Decimal(units) * w / weight_sum for w in values]
	floors = [int(r.to_integral_value(rounding=ROUND_DOWN)) for r in raw]
	left = units - sum(floors)
	order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
	for i in order[:left]:
		floors[i] += 1
	return [(Decimal(f) * unit).quantize(unit) for f in floors]


def allocation_order(invoices: list[OpenInvoice]) -> list[OpenInvoice]:
	"""Oldest due first: due date, then posting date, then name (undated last)."""
	far = date.max
	return sorted(invoices, key=lambda i: (i.due_date or far, i.posting_date or far, i.name))


def _skip_reason(invoice: OpenInvoice, currency: str) -> str | None:
	if invoice.problem:
		return invoice.problem
	if invoice.docstatus != 1:
		return "draft" if invoice.docstatus == 0 else "cancelled"
	if invoice.is_return:
		return "a return/credit note"
	if not same_currency(invoice.currency, currency):
		return f"in {invoice.currency}"
	if as_money(invoice.outstanding_amount, "outstanding_amount") <= 0:
		return "nothing outstanding"
	return None


def _hold(
	reason: str, paid: Decimal, fee: Decimal = ZERO, flags: tuple[str, ...] = ()
) -> CustomerPaymentPlan:
	return CustomerPaymentPlan(SettlementAction.HOLD, (), ZERO, ZERO, fee, paid, reason, flags)


def plan_customer_payment(
	invoices: list[OpenInvoice],
	*,
	amount: Decimal,
	currency: str,
	fee: Decimal | None,
	already_posted: bool,
	fee_currency: str | None = None,
) -> CustomerPaymentPlan:
	"""Decide how one payment settles across the chosen invoices (see the module docstring)."""
	paid = as_money(amount, "amount")
	fee_value = as_money(fee, "fee", allow_none=True) or ZERO
	if already_posted:
		return CustomerPaymentPlan(
			SettlementAction.ALREADY_SETTLED,
			(),
			ZERO,
			ZERO,
			ZERO,
			paid,
			"a Payment Entry for this payment already exists; nothing posted again",
		)
	if paid <= 0:
		return _hold(f"payment amount {paid} {currency} is not positive; nothing posted", paid)
	if not invoices:
		return _hold("the payment names no invoice; nothing posted", paid, flags=("no_invoices",))
	if not any(same_currency(i.currency, currency) for i in invoices):
		return _hold(
			f"payment is in {currency} but the chosen invoices are in {invoices[0].currency}; nothing posted, "
			"record it manually with the right exchange rate",
			paid,
			flags=("currency_mismatch",),
		)
	if fee_value < 0:
		return _hold(f"Stripe fee {fee_value} is negative; nothing posted", paid, flags=("bad_fee",))
	flags: list[str] = []
	if fee_value and fee_currency and not same_currency(fee_currency, currency):
		flags.append("fee_not_deducted")
		fee_value = ZERO
	if fee_value > paid:
		return _hold(
			f"Stripe fee {fee_value} exceeds the payment {paid} {currency}; nothing posted",
			paid,
			fee_value,
			("bad_fee",),
		)

	places = currency_exponent(currency)
	remaining = paid
	rows: list[tuple[OpenInvoice, Decimal, Decimal]] = []
	skipped: list[str] = []
	for invoice in allocation_order(list(invoices)):
		why = _skip_reason(invoice, currency)
		if why:
			skipped.append(f"{invoice.name}: {why}")
			continue
		outstanding = as_money(invoice.outstanding_amount, "outstanding_amount")
		take = min(outstanding, remaining)
		if take > 0:
			rows.append((invoice, take, outstanding))
			remaining -= take
	unallocated = remaining
	if not rows:
		return _hold(
			f"none of the chosen invoices can take the payment ({'; '.join(skipped)}); {paid} {currency} "
			"received: record it as an advance or refund it",
			paid,
			fee_value,
			("overpayment", "no_outstanding"),
		)
	shares = split_amount(fee_value, [take for _, take, _ in rows] + [unallocated], places)
	allocations = tuple(
		Allocation(invoice.name, take, share, outstanding)
		for (invoice, take, outstanding), share in zip(rows, shares, strict=False)
	)
	if unallocated > 0:
		flags.insert(0, "overpayment")
	if any(not a.settles_in_full for a in allocations):
		flags.insert(0, "partial")
	if skipped:
		flags.append("invoices_skipped")
	reason = _reason(allocations, unallocated, currency, skipped)
	if "fee_not_deducted" in flags:
		reason += f"; Stripe fee is in {fee_currency.upper()}, not deducted: post it manually"
	elif fee_value:
		reason += f"; Stripe fee {fee_value} {currency} deducted, split across the invoices"
	return CustomerPaymentPlan(
		SettlementAction.POST,
		allocations,
		unallocated,
		shares[-1],
		fee_value,
		paid,
		reason,
		tuple(flags),
		tuple(skipped),
	)


def _reason(
	allocations: tuple[Allocation, ...], unallocated: Decimal, currency: str, skipped: list[str]
) -> str:
	parts = [f"{a.amount} to {a.invoice}" + ("" if a.settles_in_full else " (part)") for a in allocations]
	text = f"customer page payment: {', '.join(parts)} {currency}, oldest due first"
	if unallocated > 0:
		text += (
			f"; {unallocated} {currency} left unallocated on the Payment Entry for finance to refund or apply"
		)
	if skipped:
		text += f"; skipped {'; '.join(skipped)}"
	return text
