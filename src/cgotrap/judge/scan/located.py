"""Evidence for the file-set rules: where in the files a dropped or orphaned file is.

CGO001 (no Go file left), CGO002 (a fallback takes over), CGO003 (C files without cgo) and
CGO008 (cgo files dropped, nothing in their place) are found from file lists alone
(`package.judge_package`). Their findings cite, as `evidence` (and so as SARIF locations
and annotations), the line that makes each dropped file cgo-only (`import "C"`, else its
`//go:build` line), the constraint line of each file taking over, and go's own error text.
Lines come from the source facts read beforehand (`evaluate.sources`); without them the
evidence names the files without a line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from cgotrap.evaluate.model import PackageFacts
from cgotrap.evaluate.sources import SourceFacts
from cgotrap.judge.finding import Evidence
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan.package import Hit
from cgotrap.targets import Target

_LOCATED = frozenset(
    r.id
    for r in (
        rules.cgo_without_fallback,
        rules.cgo_fallback_takes_over,
        rules.c_files_without_cgo,
        rules.cgo_files_dropped_without_replacement,
    )
)

_MAX_FILES = 16
"""Files cited per hit (a finding also lists them all in `files`)."""


def with_evidence(
    hits: Sequence[Hit],
    target: Target,
    packages: Sequence[Mapping[str, PackageFacts]],
    sources: SourceFacts,
) -> list[Hit]:
    """`hits` with evidence added to the file-set rules' hits of `target`; a package's
    facts are looked up in `packages` in order (this target's, then its cgo=1 twin's)."""
    out = []
    for h in hits:
        if h.rule.id not in _LOCATED or h.evidence or h.target != target:
            out.append(h)
            continue
        p = next((m[h.package] for m in packages if h.package in m), None)
        if p is None:
            out.append(h)
            continue
        out.append(dataclasses.replace(h, evidence=_evidence(h, p, sources)))
    return out


def go_error_text(p: PackageFacts, directory: str) -> str:
    """go's error for a package with C, C++, Objective-C or Fortran files and no cgo file
    (cmd/go/internal/load.(*Package).load, Go 1.27), paths relative to the module."""
    if p.error is not None:
        return p.error.err.replace(p.dir, directory) if p.dir else p.error.err
    for kind, files in (
        ("C", p.c_files),
        ("C++", p.cxx_files),
        ("Objective-C", p.m_files),
        ("Fortran", p.f_files),
    ):
        if files:
            return f"{kind} source files not allowed when not using cgo or SWIG: {' '.join(files)}"
    return "C source files not allowed when not using cgo or SWIG"


def _evidence(h: Hit, p: PackageFacts, sources: SourceFacts) -> tuple[Evidence, ...]:
    if h.rule is rules.c_files_without_cgo:
        directory = h.files[0].rpartition("/")[0] if h.files else p.import_path
        first = Evidence(file=h.files[0] if h.files else "", text=go_error_text(p, directory))
        return (first, *(Evidence(file=f) for f in h.files[1:_MAX_FILES]))
    dropped = h.extra if h.rule is rules.cgo_fallback_takes_over else h.files
    out = [_dropped(p, f, sources) for f in dropped[:_MAX_FILES]]
    if h.rule is rules.cgo_fallback_takes_over:
        out += [_constraint(p, f, sources) for f in h.files[:_MAX_FILES]]
    if h.rule is rules.cgo_without_fallback:
        directory = dropped[0].rpartition("/")[0] if dropped else p.import_path
        out.append(Evidence(file="", text=f"build constraints exclude all Go files in {directory}"))
    return tuple(out)


def _dropped(p: PackageFacts, rel: str, sources: SourceFacts) -> Evidence:
    """A file that drops out without cgo: its `import "C"` line, else its constraint."""
    decls = sources.file(p.dir, rel.rpartition("/")[2]) if p.dir else None
    line = decls.import_line("C") if decls is not None else 0
    if line:
        return Evidence(file=rel, line=line, text='import "C"')
    return _constraint(p, rel, sources)


def _constraint(p: PackageFacts, rel: str, sources: SourceFacts) -> Evidence:
    """A file's `//go:build` line (the constraint on cgo), or the file alone."""
    decls = sources.file(p.dir, rel.rpartition("/")[2]) if p.dir else None
    if decls is not None and decls.build_line:
        return Evidence(file=rel, line=decls.build_line, text=decls.build)
    return Evidence(file=rel)
