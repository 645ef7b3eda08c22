"""Payment allocation (partial, over, fees, refunds), dunning decisions, receivables metrics."""
