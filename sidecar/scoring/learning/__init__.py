"""Lead scores that learn from sales outcomes (see README.md in this folder).

outcomes.py reads deals and lifecycle dates from HubSpot into the store; examples.py turns the store into
labelled leads (features as scored); fit.py learns per-signal multipliers; modelfile.py writes them as a model
file in today's format; evaluate.py measures models on the held-out period; shadow.py scores a candidate on trial; versions.py promotes and rolls
back. Nothing here imports frappe.
"""
