"""Request input for the app's endpoints: required arguments, JSON and datetime arguments, unreadable bodies.

Contract:
- `required`, `json_list` and `datetime_arg` raise `frappe.ValidationError` (HTTP 417, Frappe's JSON error
  envelope with the message, never a traceback in production) naming the argument and what it must be,
  so a missing or malformed argument never reaches the feature as a TypeError or a parser crash.
- `answer_unreadable_body` is the `after_request` hook for bodies Frappe itself cannot read. Frappe parses an
  `application/json` body into `form_dict` in `frappe.app.init_request` (`make_form_dict`) before any app
  code or `before_request` hook runs; malformed or too deeply nested JSON fails there (v15: 500
  JSONDecodeError / RecursionError; v16: 417 DataError), and so does a JSON body that is not an object or
  a list (417). For this app's endpoints that answer is replaced by 400 {"error": "unreadable_body",
  "message": ...}. A readable body reaches the endpoint untouched: `request.get_data()` still returns the
  raw bytes, which is what the Stripe webhook verifies its signature against.
  The same hook keeps the other 4xx answers of these endpoints short: Frappe's error envelope (exc_type,
  _server_messages, which frappe.call shows) without the traceback keys Frappe adds when the site allows
  tracebacks, and with a message when the error carried none (Frappe's argument type check raises
  FrappeTypeError without one: the hook names the argument by running that same check again).
"""

import inspect
import json
from datetime import datetime
from typing import Any

import frappe
from frappe import _
from frappe.utils import get_datetime

APP_METHOD_PREFIXES = ("/api/method/revops_app.", "/api/v2/method/revops_app.")
UNREADABLE_BODY = {
	"error": "unreadable_body",
	"message": "The request body is not readable JSON (malformed, not an object, or nested too deeply)",
}
# Frappe's answers when make_form_dict fails: v15 500 (JSONDecodeError, RecursionError), 417 otherwise.
BODY_FAILURE_STATUSES = (417, 500)
SHOWN_INPUT_CHARS = 40
TRACEBACK_KEYS = ("exc", "exception", "_exc_source", "_debug_messages")


def shown(value: Any) -> str:
	"""The caller's input as quoted in an error message: short, never the whole body."""
	text = value if isinstance(value, str) else json.dumps(value, default=str)[: SHOWN_INPUT_CHARS + 1]
	return repr(text if len(text) <= SHOWN_INPUT_CHARS else text[:SHOWN_INPUT_CHARS] + "...")


def required(name: str, value: Any) -> Any:
	if value is None or (isinstance(value, str) and not value.strip()):
		frappe.throw(_("{0} is required").format(name), frappe.ValidationError, title=_("Missing argument"))
	return value


def json_list(name: str, value: Any, what: str) -> list:
	"""A list argument, sent as a list (JSON body) or as a JSON string (form or query string)."""
	required(name, value)
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except (ValueError, RecursionError):
			value = None
	if not isinstance(value, list):
		frappe.throw(
			_("{0} must be a JSON list of {1}").format(name, what),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	return value


def datetime_arg(name: str, value: Any) -> datetime | None:
	"""An optional datetime argument ("YYYY-MM-DD HH:MM:SS[.ffffff]"); empty means none."""
	if value is None or value == "":
		return None
	try:
		parsed = get_datetime(value) if isinstance(value, str) else None
	except Exception:  # dateutil's ParserError, OverflowError, ValueError...
		parsed = None
	if parsed is None:
		frappe.throw(
			_("{0} must look like YYYY-MM-DD HH:MM:SS, got {1}").format(name, shown(value)),
			frappe.ValidationError,
			title=_("Invalid argument"),
		)
	return parsed


def answer_bad_input(response: Any = None, request: Any = None) -> None:
	"""after_request hook for this app's endpoints: unreadable bodies and short 4xx answers (module doc)."""
	if response is None or request is None or not request.path.startswith(APP_METHOD_PREFIXES):
		return
	if body_was_unreadable(response, request):
		response.status_code = 400
		response.mimetype = "application/json"
		response.set_data(json.dumps(UNREADABLE_BODY))
	elif 400 <= response.status_code < 500 and response.mimetype == "application/json":
		shorten_error(response, request)


def body_was_unreadable(response: Any, request: Any) -> bool:
	# init_request sets http_request right after make_form_dict; without it the body never became form_dict.
	if getattr(frappe.local, "http_request", None) is not None or not request.is_json:
		return False
	return response.status_code in BODY_FAILURE_STATUSES and bool(request.get_data(cache=True))


def shorten_error(response: Any, request: Any) -> None:
	try:
		body = json.loads(response.get_data())
	except ValueError:
		return
	if not isinstance(body, dict) or "exc_type" not in body:
		return  # an answer the endpoint built itself
	for key in TRACEBACK_KEYS:
		body.pop(key, None)
	if not body.get("_server_messages"):
		message = type_error_message(request) if body["exc_type"] == "FrappeTypeError" else None
		message = message or _("The request was refused ({0})").format(body["exc_type"])
		body["_server_messages"] = json.dumps([json.dumps({"message": message, "indicator": "red"})])
	response.set_data(json.dumps(body))


def type_error_message(request: Any) -> str | None:
	"""Run Frappe's own argument type check again to learn which argument it refused."""
	from frappe.exceptions import FrappeTypeError
	from frappe.utils.typing_validations import transform_parameter_types

	method = request.path.split("/method/", 1)[-1]
	try:
		function = inspect.unwrap(frappe.get_attr(method))
		transform_parameter_types(function, (), dict(frappe.local.form_dict))
	except FrappeTypeError as error:
		return str(error)
	except Exception:
		return None
	return None
