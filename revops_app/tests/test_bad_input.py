"""Real-bench tests: every endpoint answers bad input with a 4xx and a short reason, never a 500.

Requests go through frappe.app.application in another thread (stripe_standin.wsgi_request), so Frappe's own
body parsing (`make_form_dict`, before any app code), whitelisting, type checks and token auth are the real
ones. Covers bodies Frappe cannot read (answered by the `after_request` hook in api/arguments.py), missing
and malformed arguments on each endpoint, and the per-link limit on Stripe-bound presses of Pay.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
from urllib.parse import urlencode

import frappe

from revops_app.api.arguments import TRACEBACK_KEYS, UNREADABLE_BODY
from revops_app.customer_experience.constants import ROLE_CX_INTEGRATION
from revops_app.revenue_collections.checkout_limit import reset_checkout_slots
from revops_app.revenue_collections.constants import CHECKOUT_LINK_LIMIT, CHECKOUT_RATE_LIMIT
from revops_app.revops.constants import LOG_DOCTYPE, ROLE_ACCOUNTS_USER
from revops_app.tests.stripe_bench import SECRET, StripeBenchCase
from revops_app.tests.stripe_standin import sign, wsgi_request
from revops_app.tests.test_log_actions import make_api_user

API = "/api/method/revops_app.api."
TRACEBACK_KEYS = set(TRACEBACK_KEYS)
DEEP = b"[" * 100_000 + b"]" * 100_000
UNREADABLE_BODIES = {
	"truncated": b'{"id": "evt_x", "type": ',
	"not json": b"not json",
	"deeply nested": DEEP,
	"deeply nested object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
	"a number": b"5",
	"a string": b'"text"',
}


def answer(status: int, body: str) -> tuple[int, dict]:
	try:
		return status, json.loads(body)
	except ValueError:
		return status, {"raw": body[:300]}


def reason(body: dict) -> str:
	"""The message a Frappe error envelope carries (what frappe.call shows the user)."""
	messages = json.loads(body.get("_server_messages") or "[]")
	return "; ".join(json.loads(message)["message"] for message in messages)


class TestBadInput(StripeBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.clerk = make_api_user("revops-badinput-clerk@example.com", [ROLE_ACCOUNTS_USER])
		cls.cx_user = make_api_user("revops-badinput-cx@example.com", [ROLE_CX_INTEGRATION])
		frappe.db.set_single_value("RevOps Settings", {"enabled": 1, "cx_enabled": 1})
		frappe.db.commit()

	def request(self, method: str, path: str, **kwargs) -> tuple[int, dict]:
		status, _headers, body = wsgi_request(self.site, method, path, **kwargs)
		return answer(status, body)

	def post_json(self, method: str, body: bytes, authorization: str | None = None, **headers):
		headers = {"Content-Type": "application/json", **headers}
		if authorization:
			headers["Authorization"] = authorization
		return self.request("POST", API + method, data=body, headers=headers)

	def post_form(self, method: str, form: dict, authorization: str | None = None):
		headers = {"Content-Type": "application/x-www-form-urlencoded"}
		if authorization:
			headers["Authorization"] = authorization
		return self.request("POST", API + method, data=urlencode(form), headers=headers)

	def logs_count(self) -> int:
		frappe.db.rollback()
		return frappe.db.count(LOG_DOCTYPE)

	# --- bodies Frappe cannot read ------------------------------------------------------------

	def test_webhook_with_an_unreadable_json_body_answers_400_and_stores_nothing(self):
		before = self.logs_count()
		for label, body in UNREADABLE_BODIES.items():
			for content_type in ("application/json", "application/json; charset=utf-8"):
				status, reply = self.post_json(
					"webhooks.stripe",
					body,
					**{"Stripe-Signature": sign(body, SECRET), "Content-Type": content_type},
				)
				self.assertEqual((status, reply), (400, UNREADABLE_BODY), (label, content_type))
		self.assertEqual(self.logs_count(), before)

	def test_webhook_reads_the_raw_body_whatever_the_content_type(self):
		# As text/plain Frappe leaves the body alone: the app verifies it and names what is wrong.
		for body, expected in ((b"not json", "bad_signature"), (DEEP, "bad_signature")):
			status, reply = self.request(
				"POST",
				API + "webhooks.stripe",
				data=body,
				headers={"Content-Type": "text/plain", "Stripe-Signature": sign(body, "whsec_not_ours")},
			)
			self.assertEqual((status, reply["error"]), (400, expected))
		status, reply = self.request(
			"POST",
			API + "webhooks.stripe",
			data=DEEP,
			headers={"Content-Type": "text/plain", "Stripe-Signature": sign(DEEP, SECRET)},
		)
		self.assertEqual((status, reply["error"]), (400, "malformed_payload"))

	def test_every_endpoint_answers_an_unreadable_body_with_400(self):
		for method in (
			"pay.checkout",
			"pay.view",
			"pay.promise",
			"cx.ingest_responses",
			"logs.retry",
			"logs.bulk_retry",
		):
			for label, body in UNREADABLE_BODIES.items():
				status, reply = self.post_json(method, body, self.clerk)
				self.assertEqual((status, reply), (400, UNREADABLE_BODY), (method, label))

	# --- missing and malformed arguments ------------------------------------------------------

	def test_pay_endpoints_without_a_token_answer_400(self):
		for method in ("pay.checkout", "pay.view", "pay.promise"):
			for status, reply in (
				self.post_form(method, {}),
				self.post_json(method, b"{}"),
				self.post_json(method, b"[]"),
			):
				self.assertEqual(
					(status, reply),
					(400, {"error": "missing_argument", "message": "token is required"}),
					method,
				)

	def test_pay_endpoints_with_a_token_that_is_not_text_answer_4xx(self):
		for method in ("pay.checkout", "pay.view", "pay.promise"):
			for token in ({"a": 1}, ["a"], 5):
				status, reply = self.post_json(method, json.dumps({"token": token}).encode())
				self.assertEqual(status, 417, (method, token, reply))
				self.assertEqual(set(reply), {"exc_type", "_server_messages"}, reply)  # no traceback keys
				self.assertRegex(reason(reply), r"^Argument 'token' .*should be of type", reply)
			status, reply = self.post_form(method, {"token": "A" * 43})
			self.assertEqual(
				(status, reply), (404, {"error": "not_found", "message": "Payment link not found"})
			)

	def test_cx_endpoints_name_the_bad_argument(self):
		cases = [
			("POST", "cx.ingest_responses", {}, "responses is required"),
			(
				"POST",
				"cx.ingest_responses",
				{"responses": "not json"},
				"responses must be a JSON list of survey responses",
			),
			(
				"POST",
				"cx.ingest_responses",
				{"responses": DEEP.decode()},
				"responses must be a JSON list of survey responses",
			),
			(
				"POST",
				"cx.ingest_responses",
				{"responses": '{"a": 1}'},
				"responses must be a JSON list of survey responses",
			),
			(
				"GET",
				"cx.customer_cx_state",
				{"modified_after": "not-a-date"},
				"modified_after must look like YYYY-MM-DD HH:MM:SS, got 'not-a-date'",
			),
		]
		for http_method, method, args, message in cases:
			if http_method == "GET":
				status, reply = self.request(
					"GET", API + method, query_string=args, headers={"Authorization": self.cx_user}
				)
			else:
				status, reply = self.post_form(method, args, self.cx_user)
			self.assertEqual(
				(status, reason(reply)), (417, message), (method, str(args)[:80], str(reply)[:300])
			)
			self.assertFalse(TRACEBACK_KEYS & set(reply), reply)

	def test_log_actions_name_the_bad_argument(self):
		cases = [
			("logs.retry", {}, "log_name is required"),
			("logs.bulk_retry", {}, "log_names is required"),
			("logs.bulk_retry", {"log_names": "not json"}, "log_names must be a JSON list of log names"),
			("logs.bulk_retry", {"log_names": "5"}, "log_names must be a JSON list of log names"),
			("logs.bulk_retry", {"log_names": "[1, null]"}, "log_names must be a JSON list of log names"),
		]
		for method, args, message in cases:
			status, reply = self.post_form(method, args, self.clerk)
			self.assertEqual(
				(status, reason(reply)), (417, message), (method, str(args)[:80], str(reply)[:300])
			)
			self.assertFalse(TRACEBACK_KEYS & set(reply), reply)
		status, reply = self.post_json("logs.bulk_retry", b'{"log_names": {"a": 1}}', self.clerk)
		self.assertEqual(status, 417, reply)

	# --- the per-link limit on Stripe-bound presses ---------------------------------------------

	def test_checkout_is_limited_per_link_whatever_ip_is_claimed(self):
		si = self.make_invoice(14)
		link = self.link_of(si.name)
		reset_checkout_slots(link.name)
		self.addCleanup(reset_checkout_slots, link.name)
		self.assertGreater(
			CHECKOUT_LINK_LIMIT, CHECKOUT_RATE_LIMIT
		)  # the per-IP limit would stop one IP first
		statuses = []
		for press in range(CHECKOUT_LINK_LIMIT + 1):
			status, headers, body = wsgi_request(
				self.site,
				"POST",
				API + "pay.checkout",
				data=urlencode({"token": link.token}),
				headers={
					"Content-Type": "application/x-www-form-urlencoded",
					"X-Forwarded-For": f"203.0.113.{press + 1}",
				},
			)
			statuses.append(status)
		self.assertEqual(statuses[:-1], [303] * CHECKOUT_LINK_LIMIT)
		self.assertEqual(statuses[-1], 429)
		reply = json.loads(body)
		self.assertEqual(reply["error"], "too_many_attempts")
		self.assertEqual(reply["message"], "Too many attempts to pay this invoice; try again in 60 minutes")
		self.assertTrue(0 < int(headers["Retry-After"]) <= 3600)
		# One Checkout Session was created; the refused press reached neither Stripe nor the attempt count.
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("RevOps Payment Link", link.name, "checkout_attempts"), CHECKOUT_LINK_LIMIT
		)
