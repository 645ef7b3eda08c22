"""Whitelisted endpoints. Each one checks permission or signature first, then calls `revops_app.erp`."""
