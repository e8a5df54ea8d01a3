"""C-file includes (local headers followed, -D macros of #cgo CFLAGS applied) predict exactly
the targets where the real `go build` fails on a missing header.

The package facts come from cgotrap's evaluator (CFiles and CgoCFLAGS per target, with the
`#cgo CFLAGS: -DUSE_EPOLL` of a `//go:build unix` file applied only where that file builds);
the includes from `cinclude.package_includes`; the oracle is the truth table of the real
builds (`verdict_truth`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.evaluate.load import load_matrix
from cgotrap.judge.headers import catalog, predefines
from cgotrap.read import cinclude, cpp
from tests import verdictfixtures
from tests.integration import verdict_truth as vt

pytestmark = pytest.mark.integration

_CGO_TARGETS = tuple(t for t in vt.TARGETS if t.cgo)


@pytest.mark.parametrize(("name", "package"), [("cinclude", "sysinfo"), ("dmacro", "poller")])
def test_missing_active_header_iff_go_fails(name: str, package: str, tmp_path: Path) -> None:
    fixture = verdictfixtures.FIXTURES[name]
    root = verdictfixtures.write(tmp_path, name)
    table = vt.truth(name)
    matrix = load_matrix(["./..."], _CGO_TARGETS, root=root)
    import_path = f"{fixture.module}/{package}"
    # Every name the package sets with -D on some target (here: only where unix files build).
    set_somewhere = frozenset().union(
        *(
            cinclude.flag_macro_names((*p.cgo_cppflags, *p.cgo_cflags))
            for per_target in matrix.per_target
            for p in per_target.packages
            if p.import_path == import_path
        )
    )
    checked = 0
    for per_target in matrix.per_target:
        t = per_target.target
        (facts,) = [p for p in per_target.packages if p.import_path == import_path]
        base = predefines().for_target(t)
        libc = catalog().for_target(t)
        assert base is not None
        assert libc is not None
        files = (*facts.c_files, *facts.cxx_files, *facts.m_files, *facts.s_files)
        macros = cinclude.target_macros(
            base,
            (*facts.cgo_cppflags, *facts.cgo_cflags),
            package_flag_names=set_somewhere,
            defined_in_files=cinclude.defined_names(Path(facts.dir), files),
        )
        includes = cinclude.package_includes(Path(facts.dir), files)
        missing = [
            inc
            for inc in includes
            if inc.system
            and not libc.has_header(inc.header)
            and inc.active(macros) is cpp.Truth.TRUE
        ]
        undecided = [inc for inc in includes if inc.active(macros) is cpp.Truth.UNKNOWN]
        assert not undecided, [(inc.header, inc.undecided(macros)) for inc in undecided]
        cell = table.cell(t, package)
        assert bool(missing) == (not cell.builds), (t.name, missing, cell.error)
        for inc in missing:
            assert inc.header in cell.error, (t.name, inc.header, cell.error)
        checked += 1
    assert checked == len(_CGO_TARGETS)
