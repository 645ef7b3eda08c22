"""Name a new Payment Entry by its naming series without holding the series row until the worker commits.

Frappe names a document at insert: `getseries` reads the series row of `tabSeries` FOR UPDATE and
increments it in the inserting transaction, so the row stays locked until that transaction commits. A
settlement inserts its Payment Entry and then submits it (GL, payment ledger, the invoice's outstanding,
the pay link, the log) before committing, so every other settlement of the same series (ACC-PAY-.YYYY.-,
one row for all invoices) waits behind it: two workers settle one after the other. Measured on the v15
bench, their connections spent most of a two-worker burst in `SELECT current FROM tabSeries ... FOR UPDATE`.

Contract:
- `name_by_series_now(doc)`: when the document would be named by its naming series alone (no Document
  Naming Rule for its DocType, no `autoname` method, not amended), takes the next number of that series
  on a second database connection of this site and commits it there at once (the row is locked for one
  UPDATE), then gives the document that name (Frappe's `validate_name`, child rows named) so its insert
  does not touch `tabSeries`. The name is exactly the one Frappe would give (same series, same
  `parse_naming_series`, same counter row); `before_naming` runs once, as at insert. Otherwise it does
  nothing and Frappe names the document at insert as always.
- The number is taken even if the settlement's transaction later rolls back: that leaves a gap in the
  series, as deleting a draft does in ERPNext. Returns the name given, or None.
- One second connection per thread (worker processes run one job at a time; the bench tests run workers
  in threads), opened on first use and opened again if it fails.
"""

from __future__ import annotations

import contextlib
import threading

import frappe
from frappe.model.document import Document
from frappe.model.naming import NamingSeries, get_default_naming_series, parse_naming_series
from frappe.utils import cint

_local = threading.local()


def name_by_series_now(doc: Document) -> str | None:
	if not _named_by_series_only(doc):
		return None
	doc.run_method("before_naming")
	series = doc.naming_series or get_default_naming_series(doc.doctype)
	if not series:
		return None  # Frappe refuses it at insert with its own message
	doc.naming_series = series
	key = series + ".#####"  # what frappe.model.naming.set_name_by_naming_series names by
	NamingSeries(key).validate()
	name = parse_naming_series(key.split("."), doc=doc, number_generator=_next_number)
	doc.set_new_name(set_name=name)
	doc.flags.name_set = True
	return doc.name


def _named_by_series_only(doc: Document) -> bool:
	meta = doc.meta
	if not doc.is_new() or doc.flags.name_set or doc.get("amended_from"):
		return False
	if not (meta.autoname or "").lower().startswith("naming_series:"):
		return False
	if callable(getattr(type(doc), "autoname", None)):
		return False
	return not frappe.get_all(
		"Document Naming Rule", filters={"document_type": doc.doctype, "disabled": 0}, limit=1
	)


def _next_number(key: str, digits: int) -> str:
	"""Frappe's getseries on the second connection, committed there (one retry on a dropped connection
	or a deadlock between two first numbers of a new series)."""
	for attempt in (1, 2):
		db = _series_connection()
		try:
			found = db.sql("select `current` from `tabSeries` where `name`=%s for update", (key,))
			if found and found[0][0] is not None:
				db.sql("update `tabSeries` set `current` = `current` + 1 where `name`=%s", (key,))
				current = cint(found[0][0]) + 1
			else:
				db.sql("insert into `tabSeries` (`name`, `current`) values (%s, 1)", (key,))
				current = 1
			db.commit()
			return ("%0" + str(digits) + "d") % current
		except Exception:
			_drop_connection()
			if attempt == 2:
				raise
	raise AssertionError("unreachable")


def _series_connection():
	site = frappe.local.site
	db = getattr(_local, "db", None)
	if db is None or getattr(_local, "site", None) != site:
		from frappe.database import get_db

		conf = frappe.local.conf
		db = get_db(
			socket=conf.db_socket,
			host=conf.db_host,
			port=conf.db_port,
			user=conf.db_user or conf.db_name,
			password=conf.db_password,
			cur_db_name=conf.db_name,
		)
		_local.db, _local.site = db, site  # connects on its first statement
	return db


def _drop_connection() -> None:
	db = getattr(_local, "db", None)
	_local.db = None
	if db is not None:
		with contextlib.suppress(Exception):  # it is being thrown away: a broken connection may refuse
			db.rollback()
			db.close()
