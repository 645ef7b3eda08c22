"""Framework-free business rules. Nothing under `revops_app.core` may import frappe or erpnext:
it is tested by plain pytest in CI and called by the glue in `revops_app.erp`."""
