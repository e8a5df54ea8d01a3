"""Render: pure functions from a result to text (table, JSON, JUnit, ...)."""
