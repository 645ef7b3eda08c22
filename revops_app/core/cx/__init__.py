"""NPS/CSAT/CES normalisation, routing rules, sentiment timeline, churn risk."""
