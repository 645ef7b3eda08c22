"""The CX webhook receiver over real HTTP, with signatures made by the real HMAC-SHA256 algorithm.

Invalid requests (tampered, wrong secret, stale, malformed signature, bad JSON, bad fields) must answer
400/401 and store nothing; valid ones are stored once however often they arrive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

import pytest
import requests
from sqlalchemy import create_engine

from sidecar.cx.store import CxStore
from sidecar.cx.webhook import WebhookSecrets, make_app, make_server

SECRET = "whsec-generic-for-tests"
OLD_SECRET = "whsec-rotated-out-soon"
TYPEFORM_SECRET = "typeform-secret-for-tests"


def revops_headers(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
	# computed here from the documented scheme, independently of the module under test
	ts = int(time.time()) if timestamp is None else timestamp
	mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
	return {
		"X-RevOps-Timestamp": str(ts),
		"X-RevOps-Signature": f"sha256={mac}",
		"Content-Type": "application/json",
	}


def typeform_headers(body: bytes, secret: str = TYPEFORM_SECRET) -> dict[str, str]:
	mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
	return {"Typeform-Signature": f"sha256={mac}", "Content-Type": "application/json"}


def nps(external_id: str = "resp-1", **extra) -> dict:
	return {
		"source": "delighted",
		"external_id": external_id,
		"survey_type": "NPS",
		"score": 3,
		"respondent_email": "Ana@Example.com",
		"comment": "Slow support",
		"submitted_at": "2026-11-29T10:15:00Z",
		**extra,
	}


@pytest.fixture
def store(tmp_path):
	return CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"))


@pytest.fixture
def server(store):
	secrets = WebhookSecrets(generic=[OLD_SECRET, SECRET], typeform=[TYPEFORM_SECRET], tolerance=300)
	httpd = make_server(make_app(store, secrets), "127.0.0.1", 0)
	thread = threading.Thread(target=httpd.serve_forever, daemon=True)
	thread.start()
	yield f"http://127.0.0.1:{httpd.server_port}"
	httpd.shutdown()
	httpd.server_close()


def post(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
	return requests.post(url, data=body, headers=headers, timeout=5)


def test_valid_generic_response_is_stored_once(server, store):
	body = json.dumps(nps()).encode()
	first = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert first.status_code == 202, first.text
	assert first.json()["results"] == [{"source": "delighted", "external_id": "resp-1", "status": "accepted"}]
	again = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert again.status_code == 202 and again.json()["results"][0]["status"] == "duplicate"
	assert store.counts() == {"pending": 1}
	row = store.get("delighted", "resp-1")
	assert row.payload["metric"] == "NPS" and row.payload["scale_min"] == 0 and row.payload["scale_max"] == 10
	assert row.payload["respondent_email"] == "ana@example.com"
	assert row.payload["submitted_at"] == "2026-11-29T10:15:00+00:00"
	assert row.payload["raw_payload"]["comment"] == "Slow support"


def test_rotated_secret_still_accepted(server, store):
	body = json.dumps(nps("resp-old")).encode()
	assert post(f"{server}/webhooks/survey", body, revops_headers(body, OLD_SECRET)).status_code == 202


@pytest.mark.parametrize(
	"case",
	[
		"tampered",
		"wrong_secret",
		"stale",
		"future",
		"not_hex",
		"no_signature",
		"no_timestamp",
		"bad_timestamp",
	],
)
def test_bad_signatures_are_401_and_store_nothing(server, store, case):
	body = json.dumps(nps()).encode()
	headers = revops_headers(body)
	send = body
	if case == "tampered":
		send = body.replace(b'"score": 3', b'"score": 9')
		assert send != body
	elif case == "wrong_secret":
		headers = revops_headers(body, "not-the-secret")
	elif case == "stale":
		headers = revops_headers(body, timestamp=int(time.time()) - 301)
	elif case == "future":
		headers = revops_headers(body, timestamp=int(time.time()) + 301)
	elif case == "not_hex":
		headers["X-RevOps-Signature"] = "sha256=zz" + headers["X-RevOps-Signature"][9:]
	elif case == "no_signature":
		del headers["X-RevOps-Signature"]
	elif case == "no_timestamp":
		del headers["X-RevOps-Timestamp"]
	elif case == "bad_timestamp":
		headers["X-RevOps-Timestamp"] = "yesterday"
	response = post(f"{server}/webhooks/survey", send, headers)
	assert response.status_code == 401, response.text
	assert response.json()["error"]
	assert store.counts() == {}


def test_signed_but_not_json_is_400(server, store):
	body = b"score=3&email=a@b.c"
	response = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert response.status_code == 400 and "not JSON" in response.json()["error"]
	assert store.counts() == {}


def test_signed_but_invalid_fields_is_400_with_every_problem(server, store):
	body = json.dumps(nps(score=11, submitted_at="last tuesday", respondent_email="nope")).encode()
	response = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert response.status_code == 400
	problems = response.json()["problems"]
	assert any("outside the scale 0-10" in p for p in problems)
	assert any(p.startswith("submitted_at") for p in problems)
	assert any(p.startswith("respondent_email") for p in problems)
	assert store.counts() == {}


def test_batch_is_all_or_nothing(server, store):
	body = json.dumps({"responses": [nps("a"), nps("b", score=None), nps("c")]}).encode()
	response = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert response.status_code == 400
	assert response.json()["problems"] == ["responses[1]: score: required"]
	assert store.counts() == {}
	body = json.dumps({"responses": [nps("a"), nps("c", survey_type="CSAT", score=2)]}).encode()
	response = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert [r["status"] for r in response.json()["results"]] == ["accepted", "accepted"]
	assert store.get("delighted", "c").payload["scale_max"] == 5


def test_oversized_body_is_413(server, store):
	body = b"{" + b" " * 1_000_001 + b"}"
	response = post(f"{server}/webhooks/survey", body, revops_headers(body))
	assert response.status_code == 413 and store.counts() == {}


def test_unknown_path_and_method(server):
	assert requests.get(f"{server}/webhooks/survey", timeout=5).status_code == 405
	assert requests.post(f"{server}/nope", data=b"{}", timeout=5).status_code == 404
	assert requests.get(f"{server}/healthz", timeout=5).json()["ok"] is True


def typeform_payload(token: str = "tf-token-1", number: int = 10) -> dict:
	return {
		"event_id": "01HEVENT",
		"event_type": "form_response",
		"form_response": {
			"form_id": "lT4Z3j",
			"token": token,
			"submitted_at": "2026-11-28T08:00:00Z",
			"hidden": {"customer": "CUST-00042"},
			"definition": {
				"id": "lT4Z3j",
				"fields": [
					{"id": "nps1", "ref": "recommend", "type": "opinion_scale", "properties": {"steps": 11}},
				],
			},
			"answers": [
				{
					"type": "number",
					"number": number,
					"field": {"id": "nps1", "type": "opinion_scale", "ref": "recommend"},
				},
				{"type": "text", "text": "Great onboarding", "field": {"id": "t1", "type": "long_text"}},
				{"type": "email", "email": "cto@acme.example", "field": {"id": "e1", "type": "email"}},
			],
		},
	}


def test_typeform_signed_payload_is_mapped_and_stored(server, store):
	body = json.dumps(typeform_payload()).encode()
	response = post(f"{server}/webhooks/typeform", body, typeform_headers(body))
	assert response.status_code == 202, response.text
	row = store.get("typeform", "tf-token-1")
	assert row.payload | {"raw_payload": None} == {
		"source": "typeform",
		"external_id": "tf-token-1",
		"metric": "NPS",
		"score": 10.0,
		"scale_min": 0.0,
		"scale_max": 10.0,
		"higher_is_better": True,
		"respondent_email": "cto@acme.example",
		"customer": "CUST-00042",
		"comment": "Great onboarding",
		"submitted_at": "2026-11-28T08:00:00+00:00",
		"raw_payload": None,
	}
	assert row.payload["raw_payload"]["event_id"] == "01HEVENT"


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "hex_not_base64", "missing", "generic_secret"])
def test_typeform_bad_signatures(server, store, case):
	body = json.dumps(typeform_payload()).encode()
	headers = typeform_headers(body)
	send = body
	if case == "tampered":
		send = json.dumps(typeform_payload(number=0)).encode()
	elif case == "wrong_secret":
		headers = typeform_headers(body, "nope")
	elif case == "hex_not_base64":
		mac = hmac.new(TYPEFORM_SECRET.encode(), body, hashlib.sha256).hexdigest()
		headers["Typeform-Signature"] = f"sha256={mac}"
	elif case == "missing":
		del headers["Typeform-Signature"]
	elif case == "generic_secret":
		headers = typeform_headers(body, SECRET)  # a secret of another route does not open this one
	response = post(f"{server}/webhooks/typeform", send, headers)
	assert response.status_code == 401
	assert store.counts() == {}


def test_route_without_secret_refuses(store):
	app = make_app(store, WebhookSecrets(generic=[], typeform=[TYPEFORM_SECRET]))
	httpd = make_server(app, "127.0.0.1", 0)
	threading.Thread(target=httpd.serve_forever, daemon=True).start()
	try:
		body = json.dumps(nps()).encode()
		response = post(f"http://127.0.0.1:{httpd.server_port}/webhooks/survey", body, revops_headers(body))
		assert response.status_code == 503
	finally:
		httpd.shutdown()
		httpd.server_close()
	assert store.counts() == {}
