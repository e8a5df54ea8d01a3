"""The CI gate: the project's word on findings, and a baseline of accepted ones.

- `judging`: a scan's findings with `.cgotrap.toml`'s severities and ignores and the inline
  `//cgotrap:ignore` directives applied (after judging, as a separate step), CGO099 for the
  directives that suppress nothing;
- `baseline`: `cgotrap-baseline.json` (versioned, sorted, schema in
  `schemas/baseline.schema.json`) and the comparison that says which findings are new and
  which entries are gone;
- `revision`: the module as it was at a git revision, exported to a temporary directory
  (`check --new-from-rev`).
"""
