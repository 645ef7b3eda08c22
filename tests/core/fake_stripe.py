"""A local HTTP server standing in for api.stripe.com in tests: real sockets, real SDK requests.

It records every request (method, path, query, headers, form-decoded body) and answers from a queue
of (status, json) replies, so tests assert what actually went over the wire.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class FakeStripe:
	def __init__(self, replies: list[tuple[int, dict]]):
		self.replies = list(replies)
		self.requests: list[dict] = []
		self._lock = threading.Lock()
		fake = self

		class Handler(BaseHTTPRequestHandler):
			def _handle(self):
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length).decode() if length else ""
				parts = urlsplit(self.path)
				with fake._lock:
					fake.requests.append(
						{
							"method": self.command,
							"path": parts.path,
							"query": dict(parse_qsl(parts.query)),
							"headers": {k.lower(): v for k, v in self.headers.items()},
							"form": dict(parse_qsl(body)),
							"raw": body,
						}
					)
					status, reply = (
						fake.replies.pop(0)
						if fake.replies
						else (500, {"error": {"type": "api_error", "message": "no reply queued"}})
					)
				data = json.dumps(reply).encode()
				self.send_response(status)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(data)))
				self.send_header("Request-Id", f"req_{len(fake.requests)}")
				self.end_headers()
				self.wfile.write(data)

			do_GET = _handle
			do_POST = _handle

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.server.server_address[1]}"


@contextmanager
def fake_stripe(replies: list[tuple[int, dict]]) -> Iterator[FakeStripe]:
	fake = FakeStripe(replies)
	thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
	thread.start()
	try:
		yield fake
	finally:
		fake.server.shutdown()
		fake.server.server_close()
		thread.join(timeout=5)
