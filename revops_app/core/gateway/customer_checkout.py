"""One Stripe Checkout Session for several invoices of a customer page (framework-free).

Contract:
- `build_customer_checkout(page, choice, *, success_url, cancel_url, attempt, now=None)` -> (params,
  idempotency key) for `checkout.create_checkout_session` (same SDK call, retries and errors as the
  one-invoice path). Paying the invoices in full: one line item per invoice at its outstanding amount
  (Stripe's page lists what is paid). A chosen amount below their total: one line "Payment towards ..."
  for that amount. Amounts come from the server (`customer_page.choose_payment`), never the request.
- Metadata on the session and its PaymentIntent: `customer_page` (the page's name), `customer`,
  `selection` (customer_page.selection_digest), `amount_mode`, and the invoices oldest due first as
  comma-separated chunks of at most 500 characters under `invoices`, `invoices_2`, ... (Stripe's value
  limit). No `sales_invoice` key: the one-invoice settlement path never mistakes it for its own.
  `invoices_from_metadata(metadata)` reads them back (what settlement allocates to).
- Idempotency key `revops-cp-{page}-{minor}-{currency}-{selection}-{attempt}`: a retry of one press gets
  the same session; another amount, selection or press gets a new one (only after
  `sessions.prepare_checkout` dealt with the page's previous session). `expires_at` as the invoice path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from revops_app.core.gateway.checkout import check_press, session_params
from revops_app.core.gateway.customer_page import PaymentChoice, selection_digest
from revops_app.core.gateway.money import normalise_currency, to_minor_units
from revops_app.core.gateway.paylinks import format_amount

METADATA_VALUE_LIMIT = 500
INVOICE_KEYS = ("invoices", *tuple(f"invoices_{n}" for n in range(2, 41)))


@dataclass(frozen=True)
class PageForCheckout:
	name: str  # the RevOps Customer Pay Page
	customer: str
	customer_name: str
	company: str
	currency: str
	customer_email: str | None = None
	outstanding: Mapping[str, Any] | None = None  # invoice -> outstanding (for per-invoice line items)


def invoice_metadata(invoices: tuple[str, ...] | list[str]) -> dict[str, str]:
	"""The invoices as chunks of at most METADATA_VALUE_LIMIT characters under INVOICE_KEYS."""
	chunks: list[str] = []
	current = ""
	for name in invoices:
		if "," in name or len(name) > METADATA_VALUE_LIMIT:
			raise ValueError(f"invoice name {name!r} cannot be carried in Stripe metadata")
		candidate = f"{current},{name}" if current else name
		if len(candidate) > METADATA_VALUE_LIMIT:
			chunks.append(current)
			candidate = name
		current = candidate
	if current:
		chunks.append(current)
	if len(chunks) > len(INVOICE_KEYS):
		raise ValueError("too many invoices for one Checkout Session")
	return dict(zip(INVOICE_KEYS, chunks, strict=False))


def invoices_from_metadata(metadata: Mapping | None) -> tuple[str, ...]:
	"""The invoices a customer page payment names, in the order they were written (oldest due first)."""
	if not isinstance(metadata, Mapping):
		return ()
	names: list[str] = []
	for key in INVOICE_KEYS:
		value = metadata.get(key)
		if not isinstance(value, str) or not value:
			break
		names.extend(part.strip() for part in value.split(",") if part.strip())
	return tuple(dict.fromkeys(names))


def idempotency_key(page: str, minor: int, currency: str, selection: str, attempt: int) -> str:
	return f"revops-cp-{page}-{minor}-{normalise_currency(currency)}-{selection}-{attempt}"


def build_customer_checkout(
	page: PageForCheckout,
	choice: PaymentChoice,
	*,
	success_url: str,
	cancel_url: str,
	attempt: int,
	now: float | None = None,
) -> tuple[dict, str]:
	"""Checkout Session parameters and idempotency key for the customer's choice (module docstring)."""
	if not page.name:
		raise ValueError("customer page name is required")
	check_press(attempt, success_url, cancel_url)
	if not choice.invoices:
		raise ValueError("a customer page payment names at least one invoice")
	currency = normalise_currency(page.currency)
	minor = to_minor_units(choice.amount, currency)
	if minor <= 0:
		raise ValueError(f"{choice.amount} {currency} is below the smallest amount Stripe can charge")
	selection = selection_digest(choice.invoices)
	metadata = {
		"customer_page": page.name,
		"customer": page.customer,
		"selection": selection,
		"amount_mode": "part" if choice.partial else "full",
		**invoice_metadata(choice.invoices),
	}
	label = ", ".join(choice.invoices) if len(choice.invoices) <= 3 else f"{len(choice.invoices)} invoices"
	if choice.partial or not page.outstanding:
		line_items = [
			{
				"quantity": 1,
				"price_data": {
					"currency": currency.lower(),
					"unit_amount": minor,
					"product_data": {
						"name": f"Payment towards {label}",
						"description": f"{page.customer_name}: {format_amount(choice.amount, currency)} of "
						f"{format_amount(choice.total, currency)} owed, oldest due first",
					},
				},
			}
		]
	else:
		line_items = [
			{
				"quantity": 1,
				"price_data": {
					"currency": currency.lower(),
					"unit_amount": to_minor_units(page.outstanding[name], currency),
					"product_data": {"name": f"Invoice {name}", "description": page.customer_name},
				},
			}
			for name in choice.invoices
		]
		if sum(item["price_data"]["unit_amount"] for item in line_items) != minor:
			raise ValueError("the invoices' amounts do not add up to the amount to charge")
	params = session_params(
		line_items,
		reference=page.name,
		metadata=metadata,
		description=f"{page.customer_name}: {label}",
		success_url=success_url,
		cancel_url=cancel_url,
		now=now,
		customer_email=page.customer_email,
	)
	return params, idempotency_key(page.name, minor, currency, selection, attempt)
