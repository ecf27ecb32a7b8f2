"""Synthetic corpora for benchmarks (management commands, never tests)."""
