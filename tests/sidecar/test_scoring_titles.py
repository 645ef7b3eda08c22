"""Job-title parsing under the shipped model (default_model.toml [fit.seniority]): a table of real titles.

Points: C-level 14, VP 12, director 10, manager 6, individual 2, assistant 1, intern -4, unknown 1;
a decision maker (C-level/VP, or a title naming founder / head of / purchasing / procurement / buyer /
budget) gets +4 on top.
"""

from __future__ import annotations

import pytest

from sidecar.scoring import load_default_model
from sidecar.scoring.titles import normalise_words, phrase_regex

TABLE = [
	# title, level, decision maker, points
	("CTO", "c_level", True, 18),
	("Chief Technology Officer", "c_level", True, 18),
	("C.T.O.", "c_level", True, 18),
	("cto", "c_level", True, 18),
	("Chief Information Security Officer", "c_level", True, 18),
	("Founder & CEO", "c_level", True, 18),
	("Co-Founder", "c_level", True, 18),
	("Managing Director", "c_level", True, 18),
	("President", "c_level", True, 18),
	("VP Eng", "vp", True, 16),
	("VP, Engineering", "vp", True, 16),
	("Vice-President Sales", "vp", True, 16),
	("SVP Operations", "vp", True, 16),
	("Assistant Vice President, Finance", "director", False, 10),
	("Director of IT", "director", False, 10),
	("Director of Procurement", "director", True, 14),
	("Head of IT", "director", True, 14),
	("IT Manager", "manager", False, 6),
	("Sr. Mgr, Operations", "manager", False, 6),
	("Purchasing Manager", "manager", True, 10),
	("Internal Audit Manager", "manager", False, 6),  # "internal" is not "intern"
	("Team Lead, ERP", "manager", False, 6),
	("Software Engineer", "individual", False, 2),
	("Sr. Software Engineer", "individual", False, 2),
	("Senior Buyer", "individual", True, 6),
	("Accountant", "individual", False, 2),
	("Executive Assistant to the CEO", "assistant", False, 1),  # not the CEO
	("CEO Assistant", "assistant", False, 1),
	(
		"EVP & CFO",
		"vp",
		True,
		16,
	),  # "vice president" vetoes C-level (see the c_level unless); still a decision maker
	("President & CEO", "c_level", True, 18),
	("SVP and Chief of Staff", "vp", True, 16),
	("Intern", "intern", False, -4),
	("Marketing Intern", "intern", False, -4),
	("Intern to the CTO", "intern", False, -4),
	("Working Student", "intern", False, -4),
	("Product Owner", "unknown", False, 1),  # "owner" alone would be C-level; the unless phrase stops it
	("Chief of Staff", "unknown", False, 1),
	("Wizard", "unknown", False, 1),
]


@pytest.mark.parametrize(("title", "level", "decision_maker", "points"), TABLE, ids=[row[0] for row in TABLE])
def test_title_table(title: str, level: str, decision_maker: bool, points: int):
	found = load_default_model().config.titles.classify(title)
	assert (found.level, found.decision_maker, found.points) == (level, decision_maker, points)


def test_empty_title_is_no_signal():
	assert load_default_model().config.titles.classify("") is None


def test_normalisation_splits_punctuation_removes_dots_and_expands_aliases():
	aliases = {"vp": "vice president", "eng": "engineering", "sr": "senior"}
	assert normalise_words("VP, Eng.", aliases) == "vice president engineering"
	assert normalise_words("Sr. R&D Lead", aliases) == "senior r and d lead"
	assert normalise_words("Co-Founder/CEO", {}) == "co founder ceo"


def test_phrase_wildcard_is_one_to_three_whole_words():
	pattern = phrase_regex(["chief * officer"])
	assert pattern.search(" chief data officer ")
	assert pattern.search(" chief information security officer ")
	assert not pattern.search(" chief officer ")
	assert not pattern.search(" chief of staff ")
	assert not phrase_regex(["intern"]).search(" internal auditor ")
