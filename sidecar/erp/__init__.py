"""ERPNext side of the sidecar: a REST client for the app's signals feed, CX ingest and generic lists.

`ErpClient` (client.py) owns auth, timeouts, retries (the shared `sidecar.retry.RetryPolicy`) and paging;
the app's endpoints are in endpoints.py, the feed's cursor and page in cursor.py, errors in errors.py.
Callers get plain dicts and `ErpError`s.
"""

from sidecar.erp.client import ErpClient
from sidecar.erp.cursor import Cursor, SignalsPage
from sidecar.erp.endpoints import (
	CX_INGEST_METHOD,
	CX_STATE_METHOD,
	MAX_INGEST_BATCH,
	MAX_SIGNALS_PAGE,
	SIGNALS_METHOD,
)
from sidecar.erp.errors import ErpAuthError, ErpConnectionError, ErpError, ErpNotFound
from sidecar.retry import RetryPolicy

__all__ = [
	"CX_INGEST_METHOD",
	"CX_STATE_METHOD",
	"MAX_INGEST_BATCH",
	"MAX_SIGNALS_PAGE",
	"SIGNALS_METHOD",
	"Cursor",
	"ErpAuthError",
	"ErpClient",
	"ErpConnectionError",
	"ErpError",
	"ErpNotFound",
	"RetryPolicy",
	"SignalsPage",
]
