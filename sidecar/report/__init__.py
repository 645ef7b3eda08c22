"""Reports from the store. `revops-sidecar report` prints the ROI report (roi.py builds it, text.py formats it;
`--json` prints the dict): score bands vs later conversion, and time to first touch of handed-off leads."""

from sidecar.report.roi import BANDS, band_of, build_report
from sidecar.report.text import format_report

__all__ = ["BANDS", "band_of", "build_report", "format_report"]
