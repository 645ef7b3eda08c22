"""Frappe glue: everything here translates between Frappe documents and `revops_app.core`."""
