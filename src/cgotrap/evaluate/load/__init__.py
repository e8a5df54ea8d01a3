"""The package loader: `go list -e [-deps]` for every target in one pass.

A port of what `go list` does between the command line and its JSON, read from
cmd/go/internal/load/pkg.go (loadImport, load, reusePackage, PackageList, LinkerDeps),
cmd/go/internal/modload (importFromModules, stdVendor, matchPackages, matchLocalDirs),
cmd/go/internal/search (MatchDirs) and cmd/go/internal/list (collectDeps):

- Patterns are matched per target (whether a directory "has a package" depends on which
  files build there), in go's order: pattern by pattern, deduplicated (`patterns`).
- Import resolution (std / vendor / main modules / replace / module cache) does not depend
  on the target and is memoized once for the whole matrix (`resolve`).
- Directories are scanned once for all targets (`directory.scan_directory`, `loader`).
- What a package is on its own (its DirFacts object, resolved imports, static errors) is a
  shared `_Local`; a package with the same local and children on two targets is the same
  `_Node` (Deps, error), so most of the matrix is shared work (`fast`).
- The nodes are built package by package for all targets at once (`matrix`: which
  targets load a package, then its nodes on all of them), not target by target.
- Per target only go's load order is walked (`_FastTarget.walk`): DepOnly, -deps order
  (post-order DFS) and import stacks for the packages with errors. An import cycle sends
  that target through the step-by-step port of loadImport/load (`target`).
- Both paths take each cmd/go rule from one function in `rules`.
- `load_listing` keeps each distinct package object once for the whole matrix (what
  `cgotrap list` renders); `load_matrix` gives every target its own PackageFacts (`plan`).

Modules: `pkgpattern` (cmd/internal/pkgpattern), `rules` (cmd/go's load rules, shared),
`resolve` (modload's import resolution), `loader` (shared scans), `patterns` (command-line
patterns to root import paths), `target` (the one-target loader), `fast` and `matrix` (the
shared matrix loader), `steps` (recursive walks run on an explicit stack), `facts`
(PackageFacts records), `plan` (ListingPlan and the entry points). The library forks only
when asked (`workers=`) and never changes gc or the recursion limit.
"""

from cgotrap.evaluate.load.pkgpattern import is_local_pattern, match_pattern, tree_can_match
from cgotrap.evaluate.load.plan import ListingPlan, PlanOptions, load_listing, load_matrix
from cgotrap.gostd import short_path

__all__ = [
    "ListingPlan",
    "PlanOptions",
    "is_local_pattern",
    "load_listing",
    "load_matrix",
    "match_pattern",
    "short_path",
    "tree_can_match",
]
