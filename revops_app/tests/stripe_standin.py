"""Helpers for the Stripe real-bench tests: a local HTTP stand-in for the Stripe API, signed events,
and deliveries through Frappe's WSGI application in their own thread.

The stand-in is a real `http.server` on 127.0.0.1 that RevOps Settings' "Stripe API Base URL" points
at: it serves `GET /v1/payment_intents/<id>` (expanded charge and balance transaction, from the
`intents` dict the test fills), `GET /v1/disputes/<id>` (from `disputes`), `POST /v1/checkout/sessions`,
`GET /v1/checkout/sessions/<id>` and `POST /v1/checkout/sessions/<id>/expire` (sessions kept in
`checkout_sessions`, open until expired or `complete_session` is called; an id in `complete_on_expire`
completes instead, as a session paid just before the expire call), `GET /v1/payouts/<id>`,
`GET /v1/balance_transactions` (payout, type and created filters, paged, source expanded on request;
a payout's own and failure balance transactions expanded on request), `GET /v1/events`
(created[gte], types[], paged) and `GET /v1/balance`, and records every request (path,
query, headers, form) so tests assert what went over the wire. Signatures come from the stripe SDK.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_PATH = "/api/method/revops_app.api.webhooks.stripe"


class StripeStandIn:
	def __init__(self) -> None:
		self.intents: dict[str, dict] = {}
		self.disputes: dict[str, dict] = {}
		self.requests: list[dict] = []
		self.sessions = 0
		self.checkout_sessions: dict[str, dict] = {}
		self.complete_on_expire: set[str] = set()
		# Payouts and the balance (GET /v1/payouts/<id>, /v1/balance_transactions, /v1/balance):
		# balance transactions are kept newest first, as Stripe lists them; `payout_of` says which
		# payout carries a transaction; `page_size` caps a page below the requested limit (paging).
		self.payouts: dict[str, dict] = {}
		self.balance_transactions: list[dict] = []
		self.payout_of: dict[str, str] = {}
		self.page_size = 100
		# Events the account holds (GET /v1/events, the missed-event backstop): envelopes as Stripe
		# keeps them; `events_status` other than 200 makes the listing fail.
		self.events: list[dict] = []
		self.events_status = 200
		self.balance: dict = {"object": "balance", "available": [], "pending": [], "livemode": False}
		self._lock = threading.Lock()
		standin = self

		class Handler(BaseHTTPRequestHandler):
			def _reply(self, status: int, body: dict) -> None:
				data = json.dumps(body).encode()
				self.send_response(status)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(data)))
				self.send_header("Request-Id", f"req_standin_{len(standin.requests)}")
				self.end_headers()
				self.wfile.write(data)

			def _record(self) -> dict:
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length).decode() if length else ""
				parts = urlsplit(self.path)
				request = {
					"method": self.command,
					"path": parts.path,
					"query": dict(parse_qsl(parts.query)),
					"headers": {k.lower(): v for k, v in self.headers.items()},
					"form": dict(parse_qsl(body)),
				}
				with standin._lock:
					standin.requests.append(request)
				return request

			def do_GET(self):
				request = self._record()
				prefix = "/v1/payment_intents/"
				if request["path"].startswith(prefix):
					intent = standin.intents.get(request["path"][len(prefix) :])
					if intent:
						return self._reply(200, intent)
				if request["path"].startswith("/v1/checkout/sessions/"):
					found = standin.checkout_sessions.get(request["path"][len("/v1/checkout/sessions/") :])
					if found:
						return self._reply(200, found)
					return self._reply(
						404,
						{"error": {"type": "invalid_request_error", "message": "No such checkout.session"}},
					)
				if request["path"].startswith("/v1/payouts/"):
					found = standin.payouts.get(request["path"][len("/v1/payouts/") :])
					if found:
						return self._reply(200, standin.expand_payout(found, request["query"]))
					return self._reply(
						404, {"error": {"type": "invalid_request_error", "message": "No such payout"}}
					)
				if request["path"] == "/v1/balance":
					return self._reply(200, standin.balance)
				if request["path"] == "/v1/events":
					if standin.events_status != 200:
						return self._reply(
							standin.events_status, {"error": {"type": "api_error", "message": "unavailable"}}
						)
					return self._reply(200, standin.list_events(request["query"]))
				if request["path"] == "/v1/balance_transactions":
					return self._reply(200, standin.list_transactions(request["query"]))
				if request["path"].startswith("/v1/disputes/"):
					found = standin.disputes.get(request["path"][len("/v1/disputes/") :])
					if found:
						return self._reply(200, found)
					return self._reply(
						404, {"error": {"type": "invalid_request_error", "message": "No such dispute"}}
					)
				return self._reply(
					404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
				)

			def do_POST(self):
				request = self._record()
				if request["path"] == "/v1/checkout/sessions":
					form = request["form"]
					with standin._lock:
						standin.sessions += 1
						number = standin.sessions
						session = {
							"id": f"cs_test_standin_{number}",
							"object": "checkout.session",
							"status": "open",
							"payment_status": "unpaid",
							"amount_total": line_items_total(form),
							"currency": form.get("line_items[0][price_data][currency]"),
							"metadata": {
								"sales_invoice": form.get("metadata[sales_invoice]"),
								"pay_link": form.get("metadata[pay_link]"),
								# every other key the request sent (a customer page's invoices, selection)
								**{
									key[len("metadata[") : -1]: value
									for key, value in form.items()
									if key.startswith("metadata[")
								},
							},
							"url": f"https://checkout.stripe.test/c/pay/cs_test_standin_{number}",
							"payment_intent": None,
							"expires_at": int(form.get("expires_at") or time.time() + 23 * 3600),
						}
						standin.checkout_sessions[session["id"]] = session
					return self._reply(200, session)
				if request["path"].startswith("/v1/checkout/sessions/") and request["path"].endswith(
					"/expire"
				):
					session_id = request["path"][len("/v1/checkout/sessions/") : -len("/expire")]
					with standin._lock:
						found = standin.checkout_sessions.get(session_id)
						if found and session_id in standin.complete_on_expire:
							standin.complete_session(session_id)
						if not found or found["status"] != "open":
							return self._reply(
								400,
								{
									"error": {
										"type": "invalid_request_error",
										"message": "Only Checkout Sessions with a status of open can be expired.",
									}
								},
							)
						found.update(status="expired", url=None)
					return self._reply(200, found)
				return self._reply(404, {"error": {"type": "invalid_request_error", "message": "unknown"}})

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.server.server_address[1]}"

	def start(self) -> StripeStandIn:
		self.thread.start()
		return self

	def stop(self) -> None:
		self.server.shutdown()
		self.server.server_close()
		self.thread.join(timeout=5)

	def list_transactions(self, query: dict) -> dict:
		"""One page of GET /v1/balance_transactions (payout, type and created[gte] filters, starting_after
		cursor, expand[]=data.source)."""
		gte = int(query.get("created[gte]") or 0)
		rows = [
			t
			for t in self.balance_transactions
			if (not query.get("payout") or self.payout_of.get(t["id"]) == query["payout"])
			and (not query.get("type") or t["type"] == query["type"])
			and t["created"] >= gte
		]
		if query.get("starting_after"):
			ids = [t["id"] for t in rows]
			rows = rows[ids.index(query["starting_after"]) + 1 :]
		size = min(int(query.get("limit") or 10), self.page_size)
		expand = "data.source" in [v for k, v in query.items() if k.startswith("expand[")]
		page = [dict(t, source=t["source"] if expand else _source_id(t["source"])) for t in rows[:size]]
		return {
			"object": "list",
			"url": "/v1/balance_transactions",
			"has_more": len(rows) > size,
			"data": page,
		}

	def list_events(self, query: dict) -> dict:
		"""One page of GET /v1/events, newest first (created[gte], types[], starting_after)."""
		types = {v for k, v in query.items() if k.startswith("types[")}
		gte = int(query.get("created[gte]") or 0)
		rows = sorted(
			(e for e in self.events if e["created"] >= gte and (not types or e["type"] in types)),
			key=lambda e: e["created"],
			reverse=True,
		)
		if query.get("starting_after"):
			ids = [e["id"] for e in rows]
			rows = rows[ids.index(query["starting_after"]) + 1 :]
		size = min(int(query.get("limit") or 10), self.page_size)
		return {"object": "list", "url": "/v1/events", "has_more": len(rows) > size, "data": rows[:size]}

	def expand_payout(self, payout: dict, query: dict) -> dict:
		"""GET /v1/payouts/<id>: its balance transactions expanded when asked (expand[]=...)."""
		wanted = {v for k, v in query.items() if k.startswith("expand[")}
		by_id = {t["id"]: t for t in self.balance_transactions}
		found = dict(payout)
		for field in ("balance_transaction", "failure_balance_transaction"):
			if field in wanted and found.get(field) in by_id:
				found[field] = dict(by_id[found[field]], source=_source_id(by_id[found[field]]["source"]))
		return found

	def add_payout(
		self,
		payout_id: str,
		txns: list[dict],
		*,
		status: str = "paid",
		arrival: int | None = None,
		currency: str = "usd",
		fee: int = 0,
	) -> dict:
		"""A payout carrying `txns` (balance transactions, newest first), with its own payout transaction
		(`fee`: a payout fee, e.g. Instant Payouts, which Stripe puts on that transaction: net = -amount - fee)."""
		amount = sum(t["net"] for t in txns) - fee
		arrival = arrival or int(time.time())
		own = {
			"id": "txn_" + payout_id,
			"object": "balance_transaction",
			"type": "payout",
			"amount": -amount,
			"fee": fee,
			"net": -amount - fee,
			"currency": currency,
			"source": payout_id,
			"created": arrival - 86_400,
			"status": "available",
			"reporting_category": "payout",
		}
		self.payouts[payout_id] = {
			"id": payout_id,
			"object": "payout",
			"amount": amount,
			"currency": currency,
			"status": status,
			"arrival_date": arrival,
			"created": arrival - 86_400,
			"automatic": True,
			"balance_transaction": own["id"],
			"failure_code": None,
			"failure_message": None,
		}
		for txn in [own, *txns]:
			self.payout_of[txn["id"]] = payout_id
		self.balance_transactions[:0] = [own, *txns]
		return self.payouts[payout_id]

	def open_sessions(self) -> list[str]:
		return [sid for sid, found in self.checkout_sessions.items() if found["status"] == "open"]

	def complete_session(self, session_id: str, *, paid: bool = True) -> None:
		"""The customer paid in this session (paid=False: a delayed method still processing)."""
		pi = "pi_" + session_id[3:]
		self.checkout_sessions[session_id].update(
			status="complete",
			payment_status="paid" if paid else "unpaid",
			url=None,
			payment_intent={
				"id": pi,
				"object": "payment_intent",
				"status": "succeeded" if paid else "processing",
			},
		)

	def add_intent(
		self,
		pi: str,
		*,
		invoice: str,
		pay_link: str | None,
		amount: int,
		currency: str = "usd",
		fee: int = 0,
		refunded: int = 0,
		status: str = "succeeded",
		created: int | None = None,
		metadata: dict | None = None,
	) -> None:
		"""A PaymentIntent as Stripe returns it with latest_charge.balance_transaction expanded;
		`created` (Unix seconds, default now) dates the charge and its balance transaction; `metadata`
		replaces the invoice / pay link metadata (a customer page payment's)."""
		charge_id = "ch_" + pi[3:]
		created = created or int(time.time())
		self.intents[pi] = {
			"id": pi,
			"object": "payment_intent",
			"amount": amount,
			"amount_received": amount if status == "succeeded" else 0,
			"currency": currency,
			"status": status,
			"metadata": metadata
			if metadata is not None
			else {k: v for k, v in {"sales_invoice": invoice, "pay_link": pay_link}.items() if v},
			"latest_charge": {
				"id": charge_id,
				"object": "charge",
				"amount": amount,
				"amount_captured": amount,
				"amount_refunded": refunded,
				"currency": currency,
				"status": "succeeded",
				"disputed": False,
				"payment_intent": pi,
				"created": created,
				"balance_transaction": {
					"id": "txn_" + pi[3:],
					"object": "balance_transaction",
					"created": created,
					"amount": amount,
					"fee": fee,
					"net": amount - fee,
					"currency": currency,
					"exchange_rate": None,
				},
			},
		}


def line_items_total(form: dict) -> int:
	"""What a Checkout Session request charges: unit_amount x quantity over its line items."""
	total, n = 0, 0
	while f"line_items[{n}][price_data][unit_amount]" in form:
		quantity = int(form.get(f"line_items[{n}][quantity]") or 1)
		total += int(form[f"line_items[{n}][price_data][unit_amount]"]) * quantity
		n += 1
	return total


def _source_id(source):
	return source.get("id") if isinstance(source, dict) else source


def charge_txn(pi: str, amount: int, fee: int, *, currency: str = "usd", created: int | None = None) -> dict:
	"""The balance transaction of a pay-link charge, its source (the charge) carrying the PaymentIntent."""
	return {
		"id": "txn_" + pi[3:],
		"object": "balance_transaction",
		"type": "charge",
		"amount": amount,
		"fee": fee,
		"net": amount - fee,
		"currency": currency,
		"reporting_category": "charge",
		"source": {"id": "ch_" + pi[3:], "object": "charge", "payment_intent": pi},
		"created": created or int(time.time()) - 3 * 86_400,
		"status": "available",
	}


def other_txn(
	txn_id: str,
	type_: str,
	amount: int,
	*,
	category: str | None = None,
	source=None,
	created: int | None = None,
	description: str | None = None,
) -> dict:
	"""Any other balance transaction (stripe_fee, adjustment, refund ...), fields as Stripe sends them
	(created: Unix seconds, default two days ago)."""
	return {
		"id": txn_id,
		"object": "balance_transaction",
		"type": type_,
		"amount": amount,
		"fee": 0,
		"net": amount,
		"currency": "usd",
		"reporting_category": category or type_,
		"source": source,
		"created": created or int(time.time()) - 2 * 86_400,
		"status": "available",
		"description": description,
	}


def payout_object(standin: StripeStandIn, payout_id: str) -> dict:
	return dict(standin.payouts[payout_id])


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
	"""Stripe-Signature made by the stripe SDK's own helper (or the SDK's signing function on releases
	that predate the helper)."""
	timestamp = int(time.time()) if timestamp is None else timestamp
	body = payload.decode("utf-8")
	helper = getattr(stripe.WebhookSignature, "generate_signature_header", None)
	if helper is not None:
		return helper(body, secret, timestamp=timestamp)
	signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
	return f"t={timestamp},v1={signature}"


def event(event_id: str, event_type: str, obj: dict, *, created: int | None = None) -> bytes:
	return json.dumps(
		{
			"id": event_id,
			"object": "event",
			"type": event_type,
			"created": created or int(time.time()),
			"livemode": False,
			"api_version": "2026-06-24.dahlia",
			"data": {"object": obj},
		},
		separators=(",", ":"),
	).encode()


def session_completed(pi: str, invoice: str, link: str, amount: int, currency: str = "usd") -> dict:
	return {
		"id": "cs_" + pi[3:],
		"object": "checkout.session",
		"mode": "payment",
		"status": "complete",
		"payment_status": "paid",
		"amount_total": amount,
		"currency": currency,
		"payment_intent": pi,
		"client_reference_id": invoice,
		"metadata": {"sales_invoice": invoice, "pay_link": link},
	}


def intent_succeeded(pi: str, invoice: str, link: str, amount: int, currency: str = "usd") -> dict:
	return {
		"id": pi,
		"object": "payment_intent",
		"amount": amount,
		"amount_received": amount,
		"currency": currency,
		"status": "succeeded",
		"latest_charge": "ch_" + pi[3:],
		"metadata": {"sales_invoice": invoice, "pay_link": link},
	}


def charge_refunded(
	pi: str, amount: int, refunded: int, refund_id: str, currency: str = "usd", *, created: int | None = None
) -> dict:
	return {
		"id": "ch_" + pi[3:],
		"object": "charge",
		"amount": amount,
		"amount_captured": amount,
		"amount_refunded": refunded,
		"currency": currency,
		"status": "succeeded",
		"payment_intent": pi,
		"metadata": {},
		"refunds": {
			"object": "list",
			"data": [
				{
					"id": refund_id,
					"object": "refund",
					"amount": refunded,
					"status": "succeeded",
					"created": created or int(time.time()),
				}
			],
		},
	}


def dispute(
	pi: str,
	dispute_id: str,
	amount: int,
	status: str,
	currency: str = "usd",
	*,
	fee: int | None = None,
	reinstated: bool = False,
	fee_returned: bool = False,
	balance_transactions: bool = True,
) -> dict:
	"""A dispute as Stripe sends it. fee=None: an inquiry (no money moved, empty balance_transactions);
	fee=N: a chargeback whose funds (amount + fee N) were withdrawn, reinstated too when `reinstated`.
	balance_transactions=False leaves the list out, as an event that does not carry it."""
	txns = []
	if fee is not None:
		txns.append(
			dispute_txn(
				f"txn_{dispute_id}_w", -amount, fee, currency, dispute_id, "dispute", "Chargeback withdrawal"
			)
		)
		if reinstated:
			txns.append(
				dispute_txn(
					f"txn_{dispute_id}_r",
					amount,
					-fee if fee_returned else 0,
					currency,
					dispute_id,
					"dispute_reversal",
					"Chargeback reversal",
				)
			)
	obj = {
		"id": dispute_id,
		"object": "dispute",
		"amount": amount,
		"currency": currency,
		"status": status,
		"charge": "ch_" + pi[3:],
		"payment_intent": pi,
		"metadata": {},
		"is_charge_refundable": fee is None,
		"balance_transactions": txns,
	}
	if not balance_transactions:
		del obj["balance_transactions"]
	return obj


def dispute_txn(
	txn_id: str, amount: int, fee: int, currency: str, source: str, category: str, description: str
) -> dict:
	"""A dispute balance transaction (type adjustment), fields as in stripe/_balance_transaction.py."""
	return {
		"id": txn_id,
		"object": "balance_transaction",
		"amount": amount,
		"fee": fee,
		"net": amount - fee,
		"currency": currency,
		"exchange_rate": None,
		"type": "adjustment",
		"reporting_category": category,
		"source": source,
		"status": "available",
		"description": description,
		"fee_details": (
			[{"amount": fee, "currency": currency, "description": "Dispute fee", "type": "stripe_fee"}]
			if fee > 0
			else []
		),
	}


def wsgi_request(
	site: str, method: str, path: str, *, as_bytes: bool = False, **kwargs
) -> tuple[int, dict, str | bytes]:
	"""One request through frappe.app.application, in its own thread: frappe.init/destroy there use
	their own context and database connection, so the test's connection is untouched. Returns
	(status, headers, body): the body as text, or as bytes with `as_bytes` (a PDF)."""
	result: dict = {}

	def run() -> None:
		from werkzeug.test import Client

		from frappe.app import application

		headers = dict(kwargs.pop("headers", {}) or {})
		headers.setdefault("Host", site)
		try:
			response = Client(application).open(path, method=method, headers=headers, **kwargs)
			result["value"] = (
				response.status_code,
				dict(response.headers),
				response.get_data(as_text=not as_bytes),
			)
		except BaseException as error:  # surfaced in the test thread
			result["error"] = error

	thread = threading.Thread(target=run)
	thread.start()
	thread.join(timeout=120)
	if "error" in result:
		raise result["error"]
	return result["value"]


def deliver(site: str, payload: bytes, header: str | None) -> tuple[int, dict]:
	headers = {"Content-Type": "application/json"}
	if header is not None:
		headers["Stripe-Signature"] = header
	status, _headers, body = wsgi_request(site, "POST", WEBHOOK_PATH, data=payload, headers=headers)
	try:
		return status, json.loads(body)
	except ValueError:
		return status, {"raw": body}
