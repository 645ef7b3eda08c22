"""Demo data for `revops-sidecar demo`: a deterministic synthetic dataset (see dataset.py)."""
