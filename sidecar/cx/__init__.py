"""CX survey sync: survey sources (signed webhooks, CSV, HubSpot feedback) -> outbox -> ERPNext.

Module map: `model` (validated SurveyResponse, the ingest shape), `store` (outbox, unique per source +
external id), `webhook` (HMAC-verified WSGI receiver), `csv_import`, `hubspot_feedback` (incremental
read of HubSpot survey responses), `delivery` (batches to `revops_app.api.cx.ingest_responses`),
`cli` (cx-serve, cx-sync, cx-import-csv, cx-status).
"""
