"""Timing a library call against its bare-loop floor: interleaved runs, best of each, the ratio.

The floor is the smallest honest loop over the same rows computing the same values (each benchmark checks
the two results equal before timing). Runs alternate library / floor so a burst of load on a shared host
hits both; the best run of each is reported, as the least disturbed one.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any


def pin_one_cpu() -> str:
	try:
		os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
		return f"pinned to CPU {min(os.sched_getaffinity(0))}"
	except (AttributeError, OSError) as error:
		return f"not pinned ({error.__class__.__name__})"


def best_of(func: Callable[[], Any], repeat: int) -> float:
	"""Best wall time in seconds of `repeat` runs of `func`."""
	samples = []
	for _ in range(repeat):
		gc.collect()
		started = time.perf_counter()
		func()
		samples.append(time.perf_counter() - started)
	return min(samples)


def best_pair(library: Callable[[], Any], floor: Callable[[], Any], repeat: int) -> tuple[float, float]:
	"""Best wall time in seconds of `library` and of `floor`, run alternately `repeat` times each."""
	lib_samples, floor_samples = [], []
	for _ in range(repeat):
		for func, samples in ((library, lib_samples), (floor, floor_samples)):
			gc.collect()
			started = time.perf_counter()
			func()
			samples.append(time.perf_counter() - started)
	return min(lib_samples), min(floor_samples)


def report(label: str, library_s: float, floor_s: float, rows: int | None = None) -> float:
	"""Print one line `label  library ms  floor ms  ratio` (and rows/s of the library); return the ratio."""
	ratio = library_s / floor_s if floor_s else float("inf")
	rate = f"  {rows / library_s:>11,.0f} rows/s" if rows else ""
	print(
		f"  {label:<50} library {library_s * 1000:8.1f} ms  floor {floor_s * 1000:8.1f} ms"
		f"  ratio {ratio:5.2f}x{rate}"
	)
	return ratio


def compare(
	label: str,
	library: Callable[[], Any],
	floor: Callable[[], Any],
	same: Callable[[Any, Any], bool],
	repeat: int = 5,
	rows: int | None = None,
) -> float:
	"""Check `same(library(), floor())`, then time both; raises when the floor computes something else."""
	if not same(library(), floor()):
		raise AssertionError(f"{label}: the floor does not compute what the library does")
	library_s, floor_s = best_pair(library, floor, repeat)
	return report(label, library_s, floor_s, rows)
