"""Real builds across the target matrix (`cgotrap matrix`).

- `zigcc`: the zig target table and the `zig cc` wrapper that Go runs as CC;
- `config`: per-target CC overrides from the command line and `cgotrap.toml`;
- `runner`: plans and runs go build / vet / test per target, in parallel, with timeouts;
- `classify`: turns compiler, linker and test output into findings (rules CGO100-CGO199).
"""
