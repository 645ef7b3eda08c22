"""The settlement worker's transactions run READ COMMITTED, so settlements of different invoices do not
queue behind each other's gap locks.

Why: ERPNext's Payment Entry `validate` ends with `set_status`, which runs `db_set("status")` on the
entry before it is inserted: an UPDATE of a row that does not exist yet. Under MariaDB's default
REPEATABLE READ that UPDATE locks the gap where the new name would go; the newest entries' names all fall
in the same gap (after the last one), so a second settlement's INSERT waits for the first one's commit,
and two at once deadlock (seen on the v15 bench as `Deadlock found when trying to get lock` on
`INSERT INTO tabPayment Entry`, both holding the supremum gap lock of its PRIMARY index). READ COMMITTED
takes no gap locks for such searches; row locks, unique indexes and the worker's own row lock per invoice
(lookups.lock_invoice) are unchanged, and every read after that lock sees what was committed before it,
which the worker's REPEATABLE READ design got by committing before the lock (it still does).

Contract:
- `read_committed()`: a context manager for one worker job. On MariaDB it sets the session's isolation to
  READ COMMITTED (it applies from the next transaction: the worker commits before its lock, so every
  transaction that posts runs at it) and restores the previous level on exit. It changes nothing when
  the server writes a statement-based binary log (READ COMMITTED needs row or mixed logging there) or
  on another database. Users' own requests are never affected: only the worker's connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import frappe

READ_COMMITTED = "READ-COMMITTED"
LEVELS = ("READ-UNCOMMITTED", READ_COMMITTED, "REPEATABLE-READ", "SERIALIZABLE")


@contextmanager
def read_committed() -> Iterator[bool]:
	previous = _session_level() if _allowed() else None
	if previous not in LEVELS:
		previous = None
	if previous and previous != READ_COMMITTED:
		frappe.db.sql("set session transaction isolation level read committed")
	try:
		yield bool(previous)
	finally:
		if previous and previous != READ_COMMITTED and getattr(frappe.local, "db", None):
			frappe.db.sql(f"set session transaction isolation level {previous.replace('-', ' ').lower()}")


def _allowed() -> bool:
	if getattr(frappe.db, "db_type", None) != "mariadb":
		return False
	log_bin, binlog_format = frappe.db.sql("select @@log_bin, @@binlog_format")[0]
	return not (int(log_bin or 0) and str(binlog_format).upper() == "STATEMENT")


def _session_level() -> str | None:
	for variable in ("@@session.tx_isolation", "@@session.transaction_isolation"):
		try:
			return str(frappe.db.sql(f"select {variable}")[0][0]).upper()
		except Exception:  # the other name on this server version
			continue
	return None
