"""Real builds across the target matrix (`cgotrap matrix`).

- `zigcc`: the zig target table and the `zig cc` wrapper that Go runs as CC;
- `config`: per-target CC overrides from the command line and `cgotrap.toml`;
- `runner`: plans and runs go build / vet / test per target, in parallel, with timeouts;
- `results`: what a run found, per target and step (the records `render.matrix` reads).

The output of a failing step becomes findings in `cgotrap.judge.buildfail` (rules
CGO100-CGO199), beside the other rules.
"""
