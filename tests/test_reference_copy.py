"""tests/reference is a copy of the shared reference pack; when the original is beside the repo, they must agree."""

from __future__ import annotations

import filecmp

import pytest

from tests.conftest import REFERENCE_DIR, REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/reference is not beside this checkout")
def test_vendored_reference_matches_shared():
	comparison = filecmp.dircmp(SHARED, REFERENCE_DIR)
	stack, differences = [comparison], []
	while stack:
		current = stack.pop()
		differences += [f"{current.left}/{n}" for n in current.diff_files + current.left_only]
		stack.extend(current.subdirs.values())
	assert not differences, f"refresh tests/reference from ../shared/reference: {differences}"
