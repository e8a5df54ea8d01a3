"""Benchmarks: each script runs the anchor and cgotrap on the same input and prints the ratio."""
