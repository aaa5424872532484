"""End-to-end import benchmark: `python -m bench [--quick] [--latency-ms 0,20]` (see README)."""
