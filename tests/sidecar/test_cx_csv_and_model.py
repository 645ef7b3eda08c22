"""Survey response validation and CSV import (all-or-nothing by default, line numbers in every problem)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import create_engine

from sidecar.cx.csv_import import import_csv
from sidecar.cx.model import InvalidResponse, parse_response
from sidecar.cx.store import CxStore

BASE = {
	"source": "s",
	"external_id": "1",
	"metric": "NPS",
	"score": 7,
	"submitted_at": "2026-11-01T09:00:00+01:00",
}


@pytest.fixture
def store(tmp_path):
	return CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"))


def test_default_scales_per_metric():
	assert (parse_response(BASE).scale_min, parse_response(BASE).scale_max) == (0, 10)
	csat = parse_response({**BASE, "metric": "csat", "score": 4})
	assert (csat.metric, csat.scale_min, csat.scale_max) == ("CSAT", 1, 5)
	ces = parse_response(
		{**BASE, "survey_type": "CES", "metric": None, "score": "6", "higher_is_better": "no"}
	)
	assert (ces.metric, ces.scale_min, ces.scale_max, ces.higher_is_better) == ("CES", 1, 7, False)
	assert parse_response({**BASE, "score": "6,5"}).score == 6.5  # decimal comma from spreadsheets


def test_custom_needs_a_scale_and_score_must_fit():
	with pytest.raises(InvalidResponse, match="required for a Custom metric"):
		parse_response({**BASE, "metric": "Custom"})
	custom = parse_response({**BASE, "metric": "Custom", "scale_min": 1, "scale_max": 10})
	assert custom.scale_max == 10
	with pytest.raises(InvalidResponse, match="outside the scale 1-5"):
		parse_response({**BASE, "metric": "CSAT", "score": 0})
	with pytest.raises(InvalidResponse, match="min 5 must be below max 1"):
		parse_response({**BASE, "metric": "Custom", "scale_min": 5, "scale_max": 1})


def test_timestamps_are_normalised_to_iso_with_offset():
	assert parse_response(BASE).submitted_at == "2026-11-01T09:00:00+01:00"
	assert (
		parse_response({**BASE, "submitted_at": "2026-11-01 08:00:00"}).submitted_at
		== "2026-11-01T08:00:00+00:00"
	)
	assert parse_response({**BASE, "submitted_at": 1764576000000}).submitted_at == "2025-12-01T08:00:00+00:00"


def test_every_problem_listed():
	with pytest.raises(InvalidResponse) as info:
		parse_response({"metric": "stars", "score": "x", "reference_doctype": "Lead", "submitted_at": ""})
	problems = " | ".join(info.value.problems)
	for expected in (
		"source: required",
		"external_id: required",
		"metric: one of",
		"score: expected a number",
	):
		assert expected in problems
	assert "reference_doctype: one of" in problems and "submitted_at: required" in problems


def test_to_ingest_keeps_raw_payload_and_drops_empty_fields():
	data = parse_response(
		{**BASE, "customer": "CUST-1", "reference_doctype": "Issue", "reference_name": "ISS-1"}
	)
	ingest = data.to_ingest()
	assert ingest["customer"] == "CUST-1" and "respondent_email" not in ingest and "comment" not in ingest
	assert ingest["raw_payload"]["reference_name"] == "ISS-1"


CSV_OK = """source,external_id,survey_type,score,scale_min,scale_max,respondent_email,customer,comment,submitted_at,agent
delighted,a1,NPS,9,,,ana@example.com,,"Loved it, thanks",2026-11-01T10:00:00Z,jo
delighted,a2,CSAT,2,1,5,,CUST-0007,,2026-11-02T10:00:00Z,
delighted,a3,CES,6,1,7,bo@example.com,,,2026-11-03T10:00:00Z,kim
"""


def test_csv_import_stores_rows_and_reimport_is_harmless(store):
	report = import_csv(io.StringIO(CSV_OK), store)
	assert (report.rows, report.added, report.duplicates, report.errors) == (3, 3, 0, [])
	a1 = store.get("delighted", "a1").payload
	assert a1["metric"] == "NPS" and a1["comment"] == "Loved it, thanks"
	assert a1["raw_payload"]["agent"] == "jo"  # unknown columns are kept in the raw payload
	assert store.get("delighted", "a2").payload["customer"] == "CUST-0007"
	again = import_csv(io.StringIO(CSV_OK), store)
	assert (again.added, again.duplicates) == (0, 3)
	assert store.counts() == {"pending": 3}


CSV_BAD = """external_id;metric;score;submitted_at;respondent_email
b1;NPS;10;2026-11-01T10:00:00Z;x@example.com
b2;NPS;12;2026-11-01T10:00:00Z;y@example.com
b3;Stars;3;yesterday;z@example.com
b4;CSAT;4;2026-11-01T10:00:00Z;
"""


def test_bad_rows_store_nothing_and_name_their_lines(store):
	report = import_csv(io.StringIO("\ufeff" + CSV_BAD), store, source="survey-tool")
	assert not report.stored and store.counts() == {}
	assert (3, "score: 12 is outside the scale 0-10") in report.errors
	lines = {line for line, _ in report.errors}
	assert lines == {3, 4}
	assert any(line == 4 and problem.startswith("submitted_at") for line, problem in report.errors)


def test_skip_invalid_stores_the_good_rows(store):
	report = import_csv(io.StringIO(CSV_BAD), store, source="survey-tool", skip_invalid=True)
	assert report.stored and report.added == 2
	assert {r.external_id for r in store.rows()} == {"b1", "b4"}


def test_missing_columns_and_duplicate_ids(store):
	report = import_csv(io.StringIO("external_id,score\n1,2\n"), store)
	assert report.errors == [(1, "missing columns: submitted_at, metric, source (or pass --source)")]
	dup = "source,external_id,metric,score,submitted_at\ns,1,NPS,1,2026-11-01\ns,1,NPS,2,2026-11-01\n"
	report = import_csv(io.StringIO(dup), store)
	assert report.errors == [(0, "s/1 appears 2 times in the file")] and store.counts() == {}
