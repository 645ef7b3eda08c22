"""The push receiver's server thread, started by `revops-sidecar run` when `push.secret` is set."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sidecar.push.queue import PushQueue
from sidecar.push.receiver import make_app

log = logging.getLogger(__name__)


def start_receiver(cfg: Any, store: Any) -> Any:
	"""Serve `POST /push/erp-changes` in a daemon thread; returns the server (`.shutdown()`), or None when no
	secret is configured."""
	secrets = [s.strip() for s in str(cfg.get("push.secret") or "").split(",") if s.strip()]
	if not secrets:
		return None
	from sidecar.cx.webhook import make_server

	app = make_app(PushQueue(store.engine), secrets, int(cfg.get("cx.signature_tolerance_seconds")))
	server = make_server(app, cfg.get("push.listen_host"), cfg.get("push.listen_port"))
	threading.Thread(target=server.serve_forever, daemon=True).start()
	host, port = server.server_address[:2]
	print(f"push receiver on http://{host}:{port}/push/erp-changes", flush=True)
	log.info("push receiver listening on %s:%s", host, port)
	return server
