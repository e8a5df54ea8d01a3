"""Evaluate: per-target file sets, imports, dependency closure, cgo reachability."""
