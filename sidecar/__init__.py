"""revops-sidecar: ERP signals into HubSpot lead scores, survey outcomes into ERPNext.

Runs on a host without frappe. Only `sidecar.cli` wires things together; everything else is
importable and testable on its own.
"""

__version__ = "0.2.0"  # the same as revops_app.__version__ (one release)
