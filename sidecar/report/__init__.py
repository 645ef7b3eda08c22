"""Reports from the store. `revops-sidecar report` prints the ROI report (roi.py builds it, text.py formats it,
export.py writes CSV and self-contained HTML; `--format json` prints the dict): entry bands (the live model's)
vs conversion and deal value, ERP-matched vs unmatched leads, time to first touch around model changes."""

from sidecar.report.roi import BANDS, band_of, build_report
from sidecar.report.text import format_report

__all__ = ["BANDS", "band_of", "build_report", "format_report"]
