"""Real-bench tests: `bench --site S run-tests --app revops_app`.

They need a site with ERPNext v15 installed. Each module imports `frappe` through
`revops_app.tests.utils.require_frappe()`, so a plain `pytest` on a host without frappe
skips them instead of erroring.
"""
