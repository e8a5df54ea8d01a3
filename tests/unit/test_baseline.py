"""cgotrap-baseline.json: writing it stable, reading it strictly, and what is new against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cgotrap import schemas
from cgotrap.gate.baseline import (
    Baseline,
    BaselineError,
    Entry,
    compare,
    entries_of,
    format_baseline,
    load,
    parse,
)
from cgotrap.gate.judging import Locator
from cgotrap.judge.finding import Finding, Rule
from cgotrap.judge.rules import source as rules
from cgotrap.targets import Target

L0 = Target(goos="linux", goarch="amd64", cgo=False)
L1 = Target(goos="linux", goarch="amd64", cgo=True)
D0 = Target(goos="darwin", goarch="arm64", cgo=False)
D1 = Target(goos="darwin", goarch="arm64", cgo=True)


def fields(rule: Rule) -> dict[str, object]:
    """Placeholder values for a rule's template fields besides package and subject."""
    return {name: "x" for name in rule.fields() if name not in ("package", "subject")}


def header(package: str, subject: str, *targets: Target, line_file: str = "x.go") -> Finding:
    return rules.header_missing_on_target.finding(
        package=package,
        subject=subject,
        targets=targets,
        files=(line_file,),
        values=fields(rules.header_missing_on_target),
    )


def nofallback(package: str, *targets: Target) -> Finding:
    r = rules.cgo_without_fallback
    return r.finding(package=package, targets=targets, values=fields(r))


def test_written_sorted_merged_and_valid() -> None:
    findings = [
        header("ex.com/m/z", "sys/sysinfo.h", D1),
        nofallback("ex.com/m/a", L0, D0),
        header("ex.com/m/z", "sys/sysinfo.h", L1),  # the same key: one entry, targets united
    ]
    text = format_baseline(entries_of(findings))
    document = json.loads(text)
    jsonschema.validate(document, schemas.load("baseline"))
    assert text.endswith("}\n")
    assert [(e["rule"], e["package"]) for e in document["entries"]] == [
        ("CGO001", "ex.com/m/a"),
        ("CGO004", "ex.com/m/z"),
    ]
    assert document["entries"][1]["targets"] == ["darwin/arm64 cgo=1", "linux/amd64 cgo=1"]
    # the order of the findings does not matter
    assert format_baseline(entries_of(reversed(findings))) == text
    assert parse(Path("b.json"), text) == entries_of(findings)


def test_new_only_outside_the_entry() -> None:
    accepted = entries_of([nofallback("ex.com/m/a", L0, D0), header("ex.com/m/h", "x.h", D1)])
    now = [
        nofallback("ex.com/m/a", L0),  # fewer targets (regrouped): known
        header("ex.com/m/h", "x.h", D1, line_file="moved.go"),  # other files/lines: known
        header("ex.com/m/h", "y.h", D1),  # another subject: new
        nofallback("ex.com/m/b", L0),  # another package: new
    ]
    result = compare(now, accepted)
    assert result.new == (2, 3)
    assert result.gone == ()
    widened = compare([header("ex.com/m/h", "x.h", D1, L1)], accepted)
    assert widened.new == (0,)
    assert [e.package for e in widened.gone] == ["ex.com/m/a"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ex.com/a", "ex.com/b", ""]),
            st.sampled_from(["", "x.h", "y.h"]),
            st.sets(st.sampled_from([L0, L1, D0, D1])),
        ),
        max_size=8,
    )
)
def test_a_baseline_of_the_findings_accepts_them_all(
    items: list[tuple[str, str, set[Target]]],
) -> None:
    findings = [header(p, s, *sorted(ts, key=lambda t: t.name)) for p, s, ts in items]
    accepted = entries_of(findings)
    assert compare(findings, accepted).new == ()
    assert compare(findings, accepted).gone == ()
    assert compare([], accepted).gone == accepted.entries
    again = parse(Path("b.json"), format_baseline(accepted))
    assert again == accepted


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[", "not JSON"),
        ("[]", "not a cgotrap baseline"),
        ('{"version": 2, "entries": []}', "baseline version 2"),
        ('{"version": 1}', "entries must be a list"),
        ('{"version": 1, "entries": [], "when": 1}', "unknown key 'when'"),
        ('{"version": 1, "entries": [3]}', "entries[0] must be an object"),
        ('{"version": 1, "entries": [{"rule": 4}]}', "entries[0].rule must be a string"),
        ('{"version": 1, "entries": [{"rule": "CGO001", "x": 1}]}', "entries[0]: unknown key"),
        ('{"version": 1, "entries": [{"rule": "CGO001", "targets": "a"}]}', "targets must be"),
    ],
)
def test_bad_files_are_one_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "cgotrap-baseline.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 4


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read"):
        load(tmp_path / "nope.json")


def test_hand_merged_duplicates_unite() -> None:
    text = json.dumps(
        {
            "version": 1,
            "entries": [
                {"rule": "CGO001", "package": "p", "subject": "", "targets": ["b cgo=0"]},
                {"rule": "CGO001", "package": "p", "subject": "", "targets": ["a cgo=0"]},
            ],
        }
    )
    assert parse(Path("b.json"), text) == Baseline(
        entries=(Entry(rule="CGO001", package="p", subject="", targets=("a cgo=0", "b cgo=0")),)
    )


def test_locator_finds_the_line_a_finding_is_about(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "p.go").write_text(
        'package p\n\n/*\n#cgo LDFLAGS: -lpcap -lm\n#include <pcap/pcap.h>\n*/\nimport "C"\n'
    )
    (tmp_path / "g.go").write_text('package g\n\nimport (\n\t"fmt"\n\t"C"\n)\n')
    locate = Locator(tmp_path)
    assert locate(header("p", "pcap/pcap.h", L1, line_file="p/p.go")) == ("p/p.go", 5)
    r = rules.needs_system_library
    lib = r.finding(package="p", subject="pcap", files=("p/p.go",), values=fields(r))
    assert locate(lib) == ("p/p.go", 4)
    assert locate(header("p", "other.h", L1, line_file="p/p.go")) == ("p/p.go", 7)  # import "C"
    grouped = nofallback("g", L0)
    assert locate(grouped) is None  # names no file
    grouped = rules.cgo_without_fallback.finding(
        package="g", files=("g.go",), values=fields(rules.cgo_without_fallback)
    )
    assert locate(grouped) == ("g.go", 5)


def test_locator_reads_no_file_it_was_given(tmp_path: Path) -> None:
    """judge_scan gives the locator the directive files it read (the findings' Go files,
    mostly): their lines come from those bytes, not from a second read."""
    r = rules.needs_system_library
    lib = r.finding(package="p", subject="pcap", files=("p/p.go",), values=fields(r))
    read = {"p/p.go": b'package p\n\n// #cgo LDFLAGS: -lpcap\nimport "C"\n'}
    assert not (tmp_path / "p" / "p.go").exists()
    assert Locator(tmp_path, read)(lib) == ("p/p.go", 3)
    assert Locator(tmp_path)(lib) is None  # (the control: on disk there is no such file)
