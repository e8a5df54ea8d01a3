"""Judging: rules with stable IDs, and policies from data files."""
