"""Stripe: checkout requests, webhook verification (stripe SDK), event normalisation."""
