"""CX survey outcomes, framework-free.

- `normalise`: metric + scale + raw score -> 0-100 score and category (NPS/CSAT/CES/Custom).
- `rules`: service recovery (Issue priority), the promoter path, SLA escalation steps.
- `health`: churn risk, CX segment, sentiment timeline lines for the Customer.
- `metrics`: NPS, CSAT %, renewal status and revenue-by-segment figures for the reports.

The glue in `revops_app.customer_experience.rules` fetches documents, calls these and writes the outcome.
"""
