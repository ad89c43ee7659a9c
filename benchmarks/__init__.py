"""Benchmarks: run `python -m benchmarks.rebalance` (see docs/benchmarks.md)."""
