"""ERPNext side of the sidecar: a REST client for the app's signals feed, CX ingest and generic lists.

`ErpClient` owns auth, timeouts, retries and paging; callers get plain dicts and `ErpError`s.
"""

from sidecar.erp.client import (
	CX_INGEST_METHOD,
	CX_STATE_METHOD,
	MAX_INGEST_BATCH,
	MAX_SIGNALS_PAGE,
	SIGNALS_METHOD,
	Cursor,
	ErpClient,
	RetryPolicy,
	SignalsPage,
)
from sidecar.erp.errors import ErpAuthError, ErpConnectionError, ErpError, ErpNotFound

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
