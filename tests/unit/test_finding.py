"""The one Finding record and the rules' message templates."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from cgotrap.judge.finding import Evidence, Finding, Severity, Step
from cgotrap.judge.rules import all_rules, get, rule
from cgotrap.targets import Target


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: r.id)
def test_every_template_formats_from_its_own_fields(r: object) -> None:
    from cgotrap.judge.rules import Rule

    assert isinstance(r, Rule)
    values = {name: f"<{name}>" for name in r.fields() if name not in ("package", "subject")}
    text = r.format(package="<package>", subject="<subject>", **values)
    for name in r.fields():
        assert f"<{name}>" in text
    assert "{" not in text, r.id


def test_a_template_may_not_use_the_parameters_of_finding() -> None:
    with pytest.raises(ValueError, match="reserved fields"):

        @rule("CGO998", "never-registered", Severity.NOTE, message="{files} are odd")
        def _() -> None:
            """Never registered."""


def test_findings_are_made_through_their_rule() -> None:
    target = Target(goos="linux", goarch="amd64", cgo=True)
    found = get("CGO101").finding(
        package="example.com/m/lib",
        subject="pcap",
        targets=(target,),
        step=Step.BUILD,
        evidence=(Evidence(file="lib/a.go", line=3, text="cannot find -lpcap"),),
    )
    assert isinstance(found, Finding)
    assert found.message.startswith("C library -lpcap not found for this target")
    assert found.severity is Severity.ERROR
    assert (found.rule_id, found.file, found.line, found.detail) == (
        "CGO101",
        "lib/a.go",
        3,
        "cannot find -lpcap",
    )
    bare = get("CGO199").finding(command="build", first_line="odd")
    assert (bare.message, bare.file, bare.line, bare.detail) == ("build failed: odd", "", None, "")
    with pytest.raises(KeyError):
        get("CGO100").finding(subject="pcap.h")  # its template needs libc and owners


def test_a_registered_rule_unpickles_as_itself() -> None:
    """The judge tells rules apart by identity; judgements cross processes and the cache."""
    for one in all_rules():
        assert pickle.loads(pickle.dumps(one)) is one  # noqa: S301 - our own bytes
    loose = dataclasses.replace(all_rules()[0], id="CGO999", name="not-registered")
    again = pickle.loads(pickle.dumps(loose))  # noqa: S301 - our own bytes
    assert again == loose
    assert again is not loose
