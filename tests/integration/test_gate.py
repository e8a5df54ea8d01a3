"""The CI gate end to end through the CLI, with the real scanner on modules the tests write:
the baseline round trip, `check --new-from-rev` on a test-made git history, inline and
config suppressions, severity overrides and the configured targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cgotrap import schemas
from cgotrap.cli import main as cli
from tests.gatefixtures import PROCINFO, TARGETS, cgo_only, git, write_module

pytestmark = pytest.mark.integration


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def scan_json(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> dict[str, Any]:
    code, out, _ = run(capsys, "scan", str(root), "--targets", TARGETS, "--format", "json", *extra)
    assert code in (0, 1)
    document: dict[str, Any] = json.loads(out)
    jsonschema.validate(document, schemas.load("scan"))
    return document


def test_baseline_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_module(tmp_path / "m", {"procinfo": PROCINFO, "a": cgo_only("a")})
    baseline_file = root / "cgotrap-baseline.json"

    code, _, err = run(capsys, "baseline", str(root), "--targets", TARGETS)
    assert code == 0, err
    document = json.loads(baseline_file.read_text())
    jsonschema.validate(document, schemas.load("baseline"))
    keys = [(e["rule"], e["package"], e["subject"]) for e in document["entries"]]
    assert keys == sorted(keys)
    assert ("CGO004", "ex.com/gate/procinfo", "sys/sysinfo.h") in keys
    assert ("CGO001", "ex.com/gate/a", "") in keys

    # never over an existing file without --force (or --update)
    before = baseline_file.read_bytes()
    code, _, err = run(capsys, "baseline", str(root), "--targets", TARGETS)
    assert code == 2
    assert "already exists" in err
    assert baseline_file.read_bytes() == before
    assert run(capsys, "baseline", str(root), "--targets", TARGETS, "--update")[0] == 0
    assert baseline_file.read_bytes() == before  # the same findings: the same bytes

    code, out, _ = run(capsys, "check", str(root), "--targets", TARGETS)
    assert code == 0, out
    assert "no new finding fails the gate" in out

    # a line move is not new
    (root / "a" / "a.go").write_text("// moved\n\n\n" + cgo_only("a"))
    assert run(capsys, "check", str(root), "--targets", TARGETS)[0] == 0
    # fewer targets (regrouped) are not new
    assert run(capsys, "check", str(root), "--targets", "linux/amd64")[0] == 0

    # a new cgo package fails the gate, named
    write_module(root, {"procinfo": PROCINFO, "a": cgo_only("a"), "fresh": cgo_only("fresh")})
    code, out, _ = run(capsys, "check", str(root), "--targets", TARGETS)
    assert code == 1
    failing = out.split("\n\n")[0].splitlines()
    assert any("CGO001" in line and "ex.com/gate/fresh" in line for line in failing)
    assert not any("ex.com/gate/a:" in line for line in failing[1:3])
    code, out, err = run(capsys, "check", str(root), "--targets", TARGETS, "--format", "json")
    assert code == 1
    checked = json.loads(out)
    jsonschema.validate(checked, schemas.load("scan"))
    new = [(f["rule"], f["package"]) for f in checked["findings"] if f["baseline"] == "new"]
    assert new == [("CGO001", "ex.com/gate/fresh")]
    assert "ex.com/gate/fresh" in err

    # a known finding on a target outside its entry is new: baseline for linux only
    assert run(capsys, "baseline", str(root), "--targets", "linux/amd64", "--force")[0] == 0
    code, out, _ = run(capsys, "check", str(root), "--targets", TARGETS, "--format", "json")
    assert code == 1
    news = {
        (f["rule"], f["package"]) for f in json.loads(out)["findings"] if f["baseline"] == "new"
    }
    assert ("CGO004", "ex.com/gate/procinfo") in news  # darwin/arm64 cgo=1 is outside the entry
    assert ("CGO001", "ex.com/gate/a") in news  # darwin/arm64 cgo=0 too

    # a finding removed: reported gone, exit 0
    assert run(capsys, "baseline", str(root), "--targets", TARGETS, "--update")[0] == 0
    write_module(root, {"procinfo": PROCINFO.replace("#include <sys/sysinfo.h>\n", "")})
    (root / "a").joinpath("a.go").unlink()
    (root / "fresh").joinpath("fresh.go").unlink()
    code, out, _ = run(capsys, "check", str(root), "--targets", TARGETS)
    assert code == 0, out
    code, _, err = run(capsys, "check", str(root), "--targets", TARGETS, "--format", "sarif")
    assert code == 0
    assert "3 entries no longer found" in err  # CGO004 procinfo, CGO001 a and fresh
    gone = out.split("gone from the code (can be removed from the baseline):\n", 1)[1]
    assert "  CGO004 ex.com/gate/procinfo sys/sysinfo.h" in gone.splitlines()
    assert "  CGO001 ex.com/gate/fresh" in gone.splitlines()


def test_check_without_baseline_counts_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_module(tmp_path / "m", {"procinfo": PROCINFO})
    code, out, err = run(capsys, "check", str(root), "--targets", TARGETS)
    assert code == 1
    assert "every finding is new" in err
    assert "CGO004" in out
    assert run(capsys, "check", str(root), "--targets", TARGETS, "--fail-on", "never")[0] == 0
    # a baseline file that is not one: one line, exit 4
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 9, "entries": []}')
    code, _, err = run(capsys, "check", str(root), "--targets", TARGETS, "--baseline", str(bad))
    assert code == 4
    assert err.count("\n") == 1
    assert "version 9" in err


def test_new_from_rev_reports_only_what_the_newer_revision_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    root = write_module(repo / "svc", {"procinfo": PROCINFO, "a": cgo_only("a")})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    write_module(root, {"procinfo": PROCINFO, "a": cgo_only("a"), "b": cgo_only("b")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v2: package b needs cgo")
    status_before = git(repo, "status", "--porcelain", "--ignored")

    code, out, err = run(
        capsys,
        "check",
        str(root),
        "--targets",
        TARGETS,
        "--new-from-rev",
        "HEAD~1",
        "--format",
        "json",
    )
    assert code == 1, err
    document = json.loads(out)
    jsonschema.validate(document, schemas.load("scan"))
    new = [(f["rule"], f["package"]) for f in document["findings"] if f["baseline"] == "new"]
    assert new == [("CGO001", "ex.com/gate/b")]
    assert len(document["findings"]) > 1  # the old ones are there, known
    assert document["baseline"]["file"] == "revision HEAD~1"
    # the user's work tree is untouched
    assert git(repo, "status", "--porcelain", "--ignored") == status_before
    assert git(repo, "worktree", "list").count("\n") == 1

    # against the newest revision nothing is new
    assert run(capsys, "check", str(root), "--targets", TARGETS, "--new-from-rev", "HEAD")[0] == 0
    code, _, err = run(capsys, "check", str(root), "--new-from-rev", "no-such-rev")
    assert code == 4
    assert err.count("\n") == 1


def test_inline_suppression_silences_exactly_one_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "only shipped with cgo, see #1"
    root = write_module(
        tmp_path / "m",
        {
            "a": cgo_only("a", f"//cgotrap:ignore CGO001 {reason}"),
            "b": cgo_only("b"),
        },
    )
    document = scan_json(capsys, root)
    findings = document["findings"]
    assert isinstance(findings, list)
    cgo001 = {f["package"]: f for f in findings if f["rule"] == "CGO001"}
    assert set(cgo001) == {"ex.com/gate/a", "ex.com/gate/b"}
    assert cgo001["ex.com/gate/a"]["suppressed"] == {
        "kind": "inline",
        "reason": reason,
        "where": "a/a.go:3",
    }
    assert [f for f in findings if "suppressed" in f] == [cgo001["ex.com/gate/a"]]
    assert document["summary"] == {"errors": 1, "warnings": 0, "notes": 0, "suppressed": 1}

    # in SARIF: the same one result suppressed in source, with the reason
    code, out, _ = run(capsys, "scan", str(root), "--targets", TARGETS, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 1
    assert suppressed[0]["ruleId"] == "CGO001"
    assert "ex.com/gate/a" in suppressed[0]["message"]["text"]
    assert [(s["kind"], s["justification"]) for s in suppressed[0]["suppressions"]] == [
        ("inSource", reason)
    ]

    # b alone still fails scan; with b's finding suppressed too, scan passes
    assert run(capsys, "scan", str(root), "--targets", TARGETS)[0] == 1
    (root / "b" / "b.go").write_text(cgo_only("b", "//cgotrap:ignore CGO001 same as a"))
    code, out, _ = run(capsys, "scan", str(root), "--targets", TARGETS)
    assert code == 0
    assert f"suppressed CGO001 ex.com/gate/a: {reason} (a/a.go:3)" in out


def test_suppression_without_reason_is_cgo099(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_module(tmp_path / "m", {"b": cgo_only("b", "//cgotrap:ignore CGO001")})
    findings = scan_json(capsys, root)["findings"]
    assert isinstance(findings, list)
    malformed = [f for f in findings if f["rule"] == "CGO099"]
    assert len(malformed) == 1
    assert malformed[0]["package"] == "ex.com/gate/b"
    assert malformed[0]["files"] == ["b/b.go"]
    # it suppressed nothing
    assert next(f for f in findings if f["rule"] == "CGO001").get("suppressed") is None


def test_config_targets_ignores_and_severities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_module(tmp_path / "m", {"procinfo": PROCINFO, "a": cgo_only("a")})
    (root / ".cgotrap.toml").write_text(
        '[targets]\nselect = ["linux/amd64", "darwin/arm64"]\n\n'
        '[rules]\nCGO004 = "warning"\n\n'
        '[[ignore]]\nrule = "CGO001"\npackage = "./a"\nreason = "a is linux-only, tracked in #2"\n'
    )
    document = scan_json(capsys, root)  # --targets given: the same as the config's
    code, out, _ = run(capsys, "scan", str(root), "--format", "json")
    assert code == 0  # CGO004 is a warning here, CGO001 ignored: nothing at error
    configured = json.loads(out)
    assert [t["name"] for t in configured["targets"]] == [t["name"] for t in document["targets"]]
    by_rule = {f["rule"]: f for f in configured["findings"]}
    assert by_rule["CGO004"]["severity"] == "warning"
    assert by_rule["CGO001"]["suppressed"]["kind"] == "config"
    assert by_rule["CGO001"]["suppressed"]["where"].endswith(".cgotrap.toml ignore[1]")
    assert run(capsys, "scan", str(root), "--fail-on", "warning")[0] == 1
    # check applies the same config
    assert run(capsys, "check", str(root))[0] == 0
    assert run(capsys, "check", str(root), "--fail-on", "warning")[0] == 1
    # an unknown key is one line naming it
    (root / ".cgotrap.toml").write_text("[targets]\nselct = []\n")
    code, _, err = run(capsys, "check", str(root))
    assert code == 4
    assert "targets.selct" in err


def test_check_and_baseline_scan_through_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """check and baseline keep and reuse scan's cache (a CI gate re-run on an unchanged
    tree scans nothing), see an edit on the next run, write nothing with --no-cache and
    leave no child process behind."""
    import os

    from cgotrap import cache
    from cgotrap.evaluate.load import loader

    root = write_module(tmp_path / "m", {"procinfo": PROCINFO})
    first = run(capsys, "check", str(root), "--targets", TARGETS, "--format", "json")
    assert first[0] == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert list(cache.default_dir().glob("scan-*.bin"))

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a directory was scanned, not read from the cache")

    with monkeypatch.context() as mp:
        mp.setattr(loader._Loader, "_scan_now", refuse)
        assert run(capsys, "check", str(root), "--targets", TARGETS, "--format", "json") == first
        assert run(capsys, "baseline", str(root), "--targets", TARGETS)[0] == 0
    # the baseline written into the module: an input changed, and the answer with it
    assert run(capsys, "check", str(root), "--targets", TARGETS)[0] == 0
    write_module(root, {"procinfo": PROCINFO, "a": cgo_only("a")})
    assert run(capsys, "check", str(root), "--targets", TARGETS)[0] == 1  # the new package

    empty = tmp_path / "no-cache"
    monkeypatch.setenv("CGOTRAP_CACHE_DIR", str(empty))
    assert run(capsys, "check", str(root), "--targets", TARGETS, "--no-cache")[0] == 1
    assert run(capsys, "baseline", str(root), "--targets", TARGETS, "--no-cache", "--force")[0] == 0
    assert not empty.exists() or not any(empty.iterdir())
