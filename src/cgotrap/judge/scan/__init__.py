"""`cgotrap scan`'s judgement: where cgo enters, what it needs, what breaks, on which targets.

`scan(matrix)` is a pure function over the evaluate stage's `MatrixResult`: no files are read,
no tools run. For each target it decides, per package, whether the package compiles C code
(`cgo`), loses its cgo files and falls back to other Go files (`fallback`), loses them with
nothing in their place (`dropped`), has no Go file left (`broken`), or is refused by go
(`error`); it matches cgo preambles' headers and `-l` libraries against the target's libc
(`judge.headers`), and reports findings that cite the rules of `judge.rules.source`.

Comparing cgo=1 and cgo=0 of the same port ("twins") names the files that drop out and the
files that take over; `MatrixResult` should therefore hold both modes of each port (the CLI
loads both), and `report` restricts what is shown to the targets the user asked for.

The modules, by concern:

- `model`     the records reported (`ScanResult`, `CgoPackage`, `PackageOnTarget`, `Status`)
- `labels`    short labels for sets of targets (`compact_targets`)
- `facts`     small readers of `PackageFacts` (includes, `-l` flags, relative paths)
- `package`   one package on one target: its file-set status and the rule hits it raises
- `verdict`   the verdict per package and target (breaks, degrades, ...), with evidence
- `findings`  hits of every target merged into `Finding`s, worded by the rules' templates
- `report`    `scan()`: the whole judgement, target groups and `--why` answers
"""

from __future__ import annotations

from cgotrap.judge.finding import Finding
from cgotrap.judge.scan.facts import is_local_header, ldflags_libs, relative_dir
from cgotrap.judge.scan.findings import message
from cgotrap.judge.scan.labels import compact_targets
from cgotrap.judge.scan.model import (
    CgoPackage,
    IncludeOnTarget,
    Needs,
    PackageOnTarget,
    ScanResult,
    Status,
    StdCgo,
    TargetGroup,
    Verdict,
    WhyAnswer,
    WhyGroup,
)
from cgotrap.judge.scan.report import scan

__all__ = [
    "CgoPackage",
    "Finding",
    "IncludeOnTarget",
    "Needs",
    "PackageOnTarget",
    "ScanResult",
    "Status",
    "StdCgo",
    "TargetGroup",
    "Verdict",
    "WhyAnswer",
    "WhyGroup",
    "compact_targets",
    "is_local_header",
    "ldflags_libs",
    "message",
    "relative_dir",
    "scan",
]
