"""CSV import of survey responses into the CX outbox.

Contract: the header names the generic fields (source, external_id, metric or survey_type, score,
scale_min, scale_max, higher_is_better, respondent_email, customer, contact, comment, submitted_at,
reference_doctype, reference_name); unknown columns are kept in each row's raw payload. Every row is
validated first; by default one bad row stores nothing and every problem is reported with its line number
(fix the file, import again). With `skip_invalid=True` the valid rows are stored and the bad ones reported.
Re-importing a file is harmless: (source, external_id) already stored count as duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sidecar.cx.model import InvalidResponse, SurveyResponse, parse_response
from sidecar.cx.store import CxStore

REQUIRED_COLUMNS = ("external_id", "score", "submitted_at")


@dataclass
class ImportReport:
	rows: int = 0
	added: int = 0
	duplicates: int = 0
	errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)
	stored: bool = False

	@property
	def ok(self) -> bool:
		return not self.errors


def read_rows(handle: TextIO, source: str | None = None) -> tuple[list[SurveyResponse], ImportReport]:
	report = ImportReport()
	sample = handle.read()
	if sample.startswith("\ufeff"):  # spreadsheet exports often start with a BOM
		sample = sample[1:]
	try:
		dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;\t")
	except csv.Error:
		dialect = csv.excel
	reader = csv.DictReader(io.StringIO(sample), dialect=dialect)
	header = [h.strip() for h in (reader.fieldnames or [])]
	missing = [c for c in REQUIRED_COLUMNS if c not in header]
	if "metric" not in header and "survey_type" not in header:
		missing.append("metric")
	if "source" not in header and not source:
		missing.append("source (or pass --source)")
	if missing:
		report.errors.append((1, f"missing columns: {', '.join(missing)}"))
		return [], report
	reader.fieldnames = header
	parsed: list[SurveyResponse] = []
	for row in reader:
		report.rows += 1
		line = reader.line_num
		if None in row:
			report.errors.append((line, "more values than header columns"))
			continue
		data = {k: (v if v != "" else None) for k, v in row.items()}
		data["raw_payload"] = {k: v for k, v in row.items() if v not in (None, "")}
		try:
			parsed.append(parse_response(data, source=source))
		except InvalidResponse as exc:
			report.errors.extend((line, problem) for problem in exc.problems)
	seen: dict[tuple[str, str], int] = {}
	for item in parsed:
		seen[item.key] = seen.get(item.key, 0) + 1
	for key, count in seen.items():
		if count > 1:
			report.errors.append((0, f"{key[0]}/{key[1]} appears {count} times in the file"))
	return parsed, report


def import_csv(
	path: str | Path | TextIO, store: CxStore, source: str | None = None, skip_invalid: bool = False
) -> ImportReport:
	if isinstance(path, (str, Path)):
		with open(path, newline="", encoding="utf-8") as handle:
			parsed, report = read_rows(handle, source)
	else:
		parsed, report = read_rows(path, source)
	if report.errors and not skip_invalid:
		return report
	report.added, report.duplicates = store.add_many(parsed)
	report.stored = True
	return report
