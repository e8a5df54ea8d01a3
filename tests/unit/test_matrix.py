"""`cgotrap matrix` without building: renderers, schema, config, CLI errors, test plans."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cgotrap import host, toolchain
from cgotrap.cli import main as cli
from cgotrap.cli import main_matrix
from cgotrap.crossbuild import config, gocmd, runner
from cgotrap.crossbuild.results import MatrixReport, Outcome, StepResult, TargetResult
from cgotrap.errors import InputError, ToolchainMissingError, UsageError
from cgotrap.judge.finding import Evidence, Finding, Step
from cgotrap.judge.rules import get
from cgotrap.render import matrix as render
from cgotrap.schemas import load as load_schema
from cgotrap.targets import Libc, Target

L0 = Target(goos="linux", goarch="amd64", cgo=False)
MUSL1 = Target(goos="linux", goarch="amd64", cgo=True, libc=Libc.MUSL)
W1 = Target(goos="windows", goarch="amd64", cgo=True)
A1 = Target(goos="linux", goarch="arm64", cgo=True)


def _finding(target: Target, rule_id: str, step: Step = Step.BUILD) -> Finding:
    return Finding(
        rule=get(rule_id),
        targets=(target,),
        step=step,
        message=f"{rule_id} happened",
        package="example.com/m/lib",
        evidence=(
            Evidence(
                file="lib/lib.go",
                line=6,
                text="lib/lib.go:6:10: fatal error: 'pcap.h' file not found",
            ),
        ),
    )


def _report() -> MatrixReport:
    ok = StepResult(step=Step.BUILD, outcome=Outcome.PASS, command=("go", "build"), log="x/b.log")
    return MatrixReport(
        targets=(
            TargetResult(target=L0, steps=(ok,), cached=True),
            TargetResult(
                target=MUSL1,
                steps=(
                    StepResult(
                        step=Step.BUILD,
                        outcome=Outcome.FAIL,
                        findings=(_finding(MUSL1, "CGO100"),),
                    ),
                    StepResult(step=Step.TEST, outcome=Outcome.SKIPPED),
                ),
                cc="zig cc -target x86_64-linux-musl",
            ),
            TargetResult(
                target=W1,
                steps=(
                    StepResult(
                        step=Step.BUILD,
                        outcome=Outcome.FAIL,
                        findings=(_finding(W1, "CGO100"),),
                    ),
                ),
                allowed_to_fail=True,
            ),
            TargetResult(
                target=A1,
                steps=(
                    ok,
                    StepResult(
                        step=Step.TEST,
                        outcome=Outcome.NOT_RUN,
                        findings=(_finding(A1, "CGO113", Step.TEST),),
                    ),
                ),
            ),
        ),
        steps=(Step.BUILD, Step.TEST),
        packages=("./...",),
        go_version="go1.27.3",
        zig_version="0.17.1",
        results_dir="/tmp/results",
        glibc="2.31",
        macos_min="15.0",
    )


def test_json_matches_schema_and_groups_findings() -> None:
    document = render.to_json(_report())
    jsonschema.validate(document, load_schema("matrix"))
    assert document["version"] == render.SCHEMA_VERSION == 3
    assert document["failed"] is True
    assert document["summary"]["fail"] == 2
    first = document["findings"][0]
    assert first["rule"] == "CGO100"
    assert first["targets"] == [MUSL1.name, W1.name]
    assert "/tmp/results" not in render.format_json(_report())


def test_allowed_failures_do_not_fail_the_run() -> None:
    report = _report()
    fixed = TargetResult(target=MUSL1, steps=(StepResult(step=Step.BUILD, outcome=Outcome.PASS),))
    only_allowed = MatrixReport(
        targets=(report.targets[0], fixed, report.targets[2]),
        steps=report.steps,
        packages=report.packages,
        go_version="",
        zig_version="",
        results_dir="",
        glibc="2.31",
        macos_min="15.0",
    )
    assert not only_allowed.failed
    assert report.failed


def test_junit_counts_failures_and_skips() -> None:
    root = ET.fromstring(render.format_junit(_report()))  # noqa: S314  # our own output
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites[MUSL1.name].get("failures") == "1"
    assert suites[MUSL1.name].get("skipped") == "1"
    failure = suites[MUSL1.name].find("testcase/failure")
    assert failure is not None
    assert "CGO100" in (failure.get("message") or "")
    assert suites[A1.name].find("testcase[@name='test']/skipped") is not None


def test_table_shows_matrix_and_findings_once() -> None:
    text = render.format_table(_report())
    assert "CGO_ENABLED=0" in text
    assert "CGO_ENABLED=1" in text
    assert text.count("CGO100 missing-c-header") == 1
    assert "(cached)" in text
    assert "(allowed)" in text


@pytest.mark.parametrize("fmt", list(render.MatrixFormat))
def test_every_format_renders(fmt: render.MatrixFormat) -> None:
    assert render.format_report(_report(), fmt).strip()


def test_unclassified_detail_is_shown_whole() -> None:
    long = "\n".join(f"line {i}" for i in range(60))
    bad = Finding(
        rule=get("CGO199"),
        targets=(L0,),
        step=Step.BUILD,
        message="m",
        evidence=(Evidence(file="", text=long),),
    )
    report = MatrixReport(
        targets=(
            TargetResult(
                target=L0,
                steps=(StepResult(step=Step.BUILD, outcome=Outcome.FAIL, findings=(bad,)),),
            ),
        ),
        steps=(Step.BUILD,),
        packages=("./...",),
        go_version="",
        zig_version="",
        results_dir="",
        glibc="2.31",
        macos_min="15.0",
    )
    assert "line 59" in render.format_table(report, width=200)


# --- config -----------------------------------------------------------------------------


def test_config_from_cgotrap_toml_and_command_line(tmp_path: Path) -> None:
    (tmp_path / "cgotrap.toml").write_text(
        '[matrix]\nallow_fail = ["linux/386"]\n\n[matrix.cc]\n'
        '"linux/arm64" = "aarch64-linux-gnu-gcc"\n"linux/arm64-musl" = "musl-gcc"\n'
    )
    found = config.load_legacy(tmp_path)
    assert found is not None
    settings, where = found
    assert where == tmp_path / "cgotrap.toml"
    arm_gnu = Target(goos="linux", goarch="arm64", cgo=True)
    arm_musl = Target(goos="linux", goarch="arm64", cgo=True, libc=Libc.MUSL)
    assert settings.cc_for(arm_gnu) == "aarch64-linux-gnu-gcc"
    assert settings.cc_for(arm_musl) == "musl-gcc"
    assert settings.allowed_to_fail(Target(goos="linux", goarch="386", cgo=True))
    assert not settings.allowed_to_fail(L0)
    merged = config.with_command_line(settings, ["linux/arm64=clang"], ["windows/*"])
    assert merged.cc_for(arm_gnu) == "clang"
    assert merged.allowed_to_fail(W1)


def test_config_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.cgotrap.matrix.cc]\n'
        '"windows/amd64" = "x86_64-w64-mingw32-gcc"\n'
    )
    found = config.load_legacy(tmp_path)
    assert found is not None
    assert found[0].cc_for(W1) == "x86_64-w64-mingw32-gcc"


@pytest.mark.parametrize(
    "text",
    [
        "[matrix\n",
        '[matrix.cc]\n"linux/*" = "gcc"\n',
        '[matrix.cc]\n"plan10/amd64" = "gcc"\n',
        '[matrix.cc]\n"linux/amd64" = 3\n',
        "[matrix]\nallow_fail = 3\n",
    ],
)
def test_bad_config_is_one_line_input_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "cgotrap.toml").write_text(text)
    with pytest.raises((InputError, UsageError)) as info:
        config.load_legacy(tmp_path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("item", ["linux/arm64", "=gcc", "linux/*=gcc", "nowhere/x=gcc"])
def test_bad_cc_option(item: str) -> None:
    with pytest.raises(UsageError):
        config.with_command_line(config.MatrixConfig(), [item], [])


# --- test plans ---------------------------------------------------------------------------


def test_plan_tests_native_qemu_and_missing_qemu() -> None:
    found = {"qemu-aarch64": "/usr/bin/qemu-aarch64"}
    arm0 = Target(goos="linux", goarch="arm64", cgo=False)
    arm_musl = Target(goos="linux", goarch="arm64", cgo=True, libc=Libc.MUSL)
    if host.host_goarch() == "amd64":
        assert runner.plan_tests(L0, which=found.get).runnable
        plan = runner.plan_tests(arm0, which=found.get)
        assert plan.exec_prog == "/usr/bin/qemu-aarch64"
        assert runner.plan_tests(arm_musl, which=found.get).runnable
        glibc = runner.plan_tests(A1, which=found.get)
        assert not glibc.runnable
        assert "-musl" in glibc.why_not
        missing = runner.plan_tests(arm0, which=lambda _: None)
        assert not missing.runnable
        assert "apt-get install qemu-user" in missing.why_not
        i386 = Target(goos="linux", goarch="386", cgo=False)
        assert runner.plan_tests(i386, which=found.get) == runner.plan_tests(L0, which=found.get)
        i386_musl = Target(goos="linux", goarch="386", cgo=True, libc=Libc.MUSL)
        assert runner.plan_tests(i386_musl, which=found.get).runnable
        i386_glibc = Target(goos="linux", goarch="386", cgo=True)
        assert not runner.plan_tests(i386_glibc, which=found.get).runnable
    windows = runner.plan_tests(W1, which=found.get)
    assert not windows.runnable
    assert "windows" in windows.why_not


def test_slug_and_default_results_dir_outside_project(tmp_path: Path) -> None:
    assert runner.slug(MUSL1) == "linux-amd64-musl-cgo1"
    results = runner.default_results_dir(tmp_path)
    assert tmp_path not in results.parents


def test_tree_fingerprint_changes_with_files(tmp_path: Path) -> None:
    (tmp_path / "a.go").write_text("package a\n")
    before = runner.tree_fingerprint(tmp_path)
    assert runner.tree_fingerprint(tmp_path) == before
    (tmp_path / "b.go").write_text("package a\n")
    assert runner.tree_fingerprint(tmp_path) != before


# --- CLI: clear one-line errors -------------------------------------------------------------


def test_positionals_path_then_packages(tmp_path: Path) -> None:
    assert main_matrix._split_positionals(str(tmp_path), []) == (tmp_path, ("./...",))
    assert main_matrix._split_positionals("./...", []) == (Path(), ("./...",))
    assert main_matrix._split_positionals(str(tmp_path), ["./lib"]) == (tmp_path, ("./lib",))


def test_musl_twins_without_cgo_are_dropped() -> None:
    musl0 = Target(goos="linux", goarch="amd64", cgo=False, libc=Libc.MUSL)
    kept = main_matrix._without_libc_twins([L0, musl0, MUSL1])
    assert kept == [L0, MUSL1]
    assert main_matrix._without_libc_twins([musl0]) == [musl0]


def _module(tmp_path: Path) -> Path:
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    return tmp_path


def test_unknown_target_names_the_valid_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["matrix", str(_module(tmp_path)), "--targets", "linux/amd65"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown target linux/amd65" in err
    assert "linux/arm64" in err
    assert err.count("\n") == 1


def test_missing_go_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(toolchain, "find", lambda name: None)
    code = cli.main(["matrix", str(_module(tmp_path)), "--targets", "linux/amd64"])
    assert code == ToolchainMissingError.exit_code
    err = capsys.readouterr().err
    assert "go not found" in err
    assert "install Go" in err


def test_missing_zig_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = toolchain.find

    def without_zig(name: str) -> toolchain.Tool | None:
        return None if name == "zig" else real(name)

    monkeypatch.setattr(toolchain, "find", without_zig)
    code = cli.main(["matrix", str(_module(tmp_path)), "--targets", "linux/amd64", "--cgo", "1"])
    assert code == ToolchainMissingError.exit_code
    err = capsys.readouterr().err
    assert "zig not found" in err
    assert "pip install ziglang" in err
    assert "--cgo 0" in err


def test_build_context_is_the_one_cgotrap_list_writes() -> None:
    """Each target's "BuildContext" (schema 3; "Target" with LIBC/GLIBC before) is the
    object `cgotrap list --targets` ends each package with, for the same target."""
    from cgotrap.evaluate.model import MatrixResult, PackageFacts, TargetPackages
    from cgotrap.render import golist

    pinned = Target(goos="linux", goarch="arm64", cgo=True, libc=Libc.GNU, glibc_version="2.17")
    results = tuple(
        TargetResult(target=t, steps=(StepResult(step=Step.BUILD, outcome=Outcome.PASS, log="x"),))
        for t in (L0, MUSL1, W1, pinned)
    )
    document = render.to_json(dataclasses.replace(_report(), targets=results))
    jsonschema.validate(document, load_schema("matrix"))
    listing = MatrixResult(
        module_root="/m",
        patterns=(".",),
        tags=(),
        per_target=tuple(
            TargetPackages(
                target=r.target,
                packages=(
                    PackageFacts(
                        target=r.target,
                        dir="/m",
                        import_path="m",
                        name="m",
                        module_path="m",
                        standard=False,
                        dep_only=False,
                    ),
                ),
                roots=(),
            )
            for r in results
        ),
    )
    text = golist.format_json(listing, matrix=True)
    listed = [json.loads("{" + part + "}") for part in text.strip()[1:-1].split("}\n{")]
    assert [t["BuildContext"] for t in document["targets"]] == [o["BuildContext"] for o in listed]
    assert all("Target" not in t for t in document["targets"])
    assert document["targets"][3]["BuildContext"]["GlibcVersion"] == "2.17"
    bad = json.loads(json.dumps(document))
    bad["targets"][1]["BuildContext"]["LIBC"] = "musl"  # the old spelling is refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load_schema("matrix"))


def test_not_a_module_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["matrix", str(tmp_path), "--targets", "linux/amd64", "--cgo", "0"])
    assert code == InputError.exit_code
    assert "no go.mod" in capsys.readouterr().err


def test_matrix_json_round_trips_through_reuse_cache(tmp_path: Path) -> None:
    result = _report().targets[1]
    runner._store_cached(tmp_path, "k", result)
    again = runner._load_cached(tmp_path, "k", MUSL1)
    assert again is not None
    assert again.steps == result.steps
    assert runner._load_cached(tmp_path, "other", MUSL1) is None
    (tmp_path / "result.json").write_text("{broken")
    assert runner._load_cached(tmp_path, "k", MUSL1) is None


def test_schema_is_valid_json_schema() -> None:
    schema = load_schema("matrix")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.dumps(schema)


def test_hung_tests_are_read_from_go_test_timeout_panic() -> None:
    lines = [
        json.dumps({"Action": "output", "Output": "panic: test timed out after 19s\n"}),
        json.dumps({"Action": "output", "Output": "\trunning tests:\n"}),
        json.dumps({"Action": "output", "Output": "\t\tTestSleeps (19s)\n"}),
        json.dumps({"Action": "output", "Output": "\n"}),
        json.dumps({"Action": "output", "Output": "goroutine 1 [running]:\n"}),
    ]
    assert runner._hung_tests("\n".join(lines)) == ["TestSleeps"]
    assert runner._hung_tests("ok\n") == []


@pytest.mark.parametrize("bad", ["abc", "2", "3.1", "2.17.1"])
def test_bad_glibc_version_is_a_usage_error(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["matrix", str(_module(tmp_path)), "--targets", "linux/amd64", "--glibc", bad])
    assert code == UsageError.exit_code
    assert "--glibc takes a glibc version" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--macos-min", "11", "--macos-min takes a macOS version"),
        ("--macos-min", "eleven", "--macos-min takes a macOS version"),
        ("--variant", "netgo;rm", "--variant takes comma-separated build tags"),
        ("--variant", ",", "--variant takes build tags"),
    ],
)
def test_bad_versions_and_tags_are_usage_errors(
    option: str, value: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["matrix", str(_module(tmp_path)), "--targets", "linux/amd64", option, value]
    assert cli.main(argv) == UsageError.exit_code
    assert says in capsys.readouterr().err


def test_glibc_help_says_the_real_default(capsys: pytest.CaptureFixture[str]) -> None:
    from cgotrap.crossbuild import zigcc

    with pytest.raises(SystemExit):
        cli.main(["matrix", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: zig's, {zigcc.zig_table().default_glibc};" in text


@pytest.mark.parametrize(
    ("goflags", "fixed"),
    [
        ("-mod=mod", "-mod=readonly"),
        ("-tags=x --mod=mod -trimpath", "-tags=x -mod=readonly -trimpath"),
        ("-mod=vendor", "-mod=vendor"),
        ("-mod=readonly -v", "-mod=readonly -v"),
        ("", ""),
        ("-modcacherw", "-modcacherw"),
    ],
)
def test_goflags_never_let_go_write_go_mod(goflags: str, fixed: str) -> None:
    assert gocmd.readonly_goflags(goflags) == fixed


def test_go_list_stream_skips_what_is_not_json() -> None:
    text = (
        'go: warning: "./x/..." matched no packages\n'
        '{\n\t"ImportPath": "a"\n}\n{"ImportPath": "b"}\n{broken\n'
    )
    assert [p["ImportPath"] for p in gocmd.json_stream(text)] == ["a", "b"]


def test_variants_have_their_own_results_folder() -> None:
    assert runner.slug(L0) == "linux-amd64-cgo0"
    assert runner.slug(MUSL1, ("netgo", "osusergo")) == "linux-amd64-musl-cgo1+netgo+osusergo"


def test_variants_are_rows_and_findings_of_their_own() -> None:
    report = _report()
    variant = ("netgo", "osusergo")
    twin = dataclasses.replace(report.targets[1], variant=variant, tags=variant)
    both = dataclasses.replace(
        report, targets=(*report.targets, twin), variants=((), variant), tags=("x",)
    )
    text = render.format_table(both, width=200)
    assert "linux/amd64-musl +netgo,osusergo" in text
    assert "with +netgo,osusergo" in text
    assert "tags x" in text
    document = render.to_json(both)
    jsonschema.validate(document, load_schema("matrix"))
    cgo100 = [f for f in document["findings"] if f["rule"] == "CGO100"]
    assert [f["variant"] for f in cgo100] == [[], ["netgo", "osusergo"]]
    assert cgo100[1]["targets"] == [MUSL1.name]
    junit = render.format_junit(both)
    assert f'name="{MUSL1.name} +netgo,osusergo"' in junit


# --- the runner's mechanics with a stand-in go ----------------------------------------------


def _runner_with_go(tmp_path: Path, script: str, **options: object) -> runner.MatrixRunner:
    (tmp_path / "m").mkdir()
    module = _module(tmp_path / "m")
    fake = tmp_path / "fakego"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    matrix_options = runner.MatrixOptions(
        root=module,
        results_dir=tmp_path / "results",
        jobs=2,
        reuse=False,
        **options,  # type: ignore[arg-type]  # test-only pass-through of option fields
    )
    built = runner.MatrixRunner(matrix_options)
    built._go = toolchain.Tool(name="go", path=fake, origin=toolchain.Origin.PATH)
    return built


def test_runner_classifies_what_go_prints(tmp_path: Path) -> None:
    script = 'echo "# example.com/m/lib"; echo "lib/a.go:3:6: missing function body"; exit 1\n'
    report = _runner_with_go(tmp_path, script).run(
        [L0, W1.__class__(goos="linux", goarch="arm64", cgo=False)]
    )
    for result in report.targets:
        assert result.outcome is Outcome.FAIL
        assert [f.rule_id for f in result.findings] == ["CGO109"]
        log = tmp_path / "results" / result.steps[0].log
        assert log.read_text().startswith("$ go build -o $RESULTS/")


def test_runner_timeout_kills_the_group(tmp_path: Path) -> None:
    # A grandchild in the background, as go's compilers and test binaries are.
    script = "(sleep 31.4159; true) &\nsleep 30.2718\n"
    started = time.monotonic()
    report = _runner_with_go(tmp_path, script, timeout=1.0).run([L0])
    assert time.monotonic() - started < 10
    (result,) = report.targets
    assert result.outcome is Outcome.TIMEOUT
    assert [f.rule_id for f in result.findings] == ["CGO111"]
    # SIGKILL is sent at once; on a loaded machine the kernel may take a moment to finish the
    # processes off, so allow a few seconds (they would live ~30 s if never killed).
    left = _processes_matching(b"31.4159", b"30.2718")
    give_up = time.monotonic() + 5
    while left and time.monotonic() < give_up:
        time.sleep(0.1)
        left = _processes_matching(b"31.4159", b"30.2718")
    assert left == []


def _processes_matching(*needles: bytes) -> list[bytes]:
    """Command lines of live processes whose command line contains one of `needles`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found.append(cmdline)
    return found


def test_runner_survives_a_go_that_cannot_start(tmp_path: Path) -> None:
    built = _runner_with_go(tmp_path, "exit 0\n")
    built._go = toolchain.Tool(
        name="go", path=tmp_path / "no-such-go", origin=toolchain.Origin.PATH
    )
    (result,) = built.run([L0]).targets
    assert result.outcome is Outcome.FAIL
    assert "cannot run" in result.findings[0].detail


def test_progress_has_one_line_per_target_and_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--variant netgo,osusergo` runs the same targets again: each (target, variant) run
    has its own progress line, so the variant's state never overwrites the base build's."""
    variant = ("netgo", "osusergo")
    # the base build passes, the variant's fails: a shared line would show one of them
    script = 'case "$*" in *netgo*) echo "lib/a.go:3:6: missing function body"; exit 1;; esac\n'
    built = _runner_with_go(tmp_path, script, variants=((), variant))
    seen: list[tuple[Target, tuple[str, ...], str]] = []
    lock = threading.Lock()

    def record(target: Target, tags: tuple[str, ...], state: str) -> None:
        with lock:
            seen.append((target, tags, state))

    built._progress = record
    report = built.run([L0])
    assert {(r.variant, r.outcome) for r in report.targets} == {
        ((), Outcome.PASS),
        (variant, Outcome.FAIL),
    }
    expected: list[tuple[tuple[str, ...], str]] = [((), "pass"), (variant, "fail")]
    for tags, last in expected:
        states = [s for t, v, s in seen if (t, v) == (L0, tags)]
        assert (states[0], states[-1]) == ("queued", last), tags
    final = {(t, v): s for t, v, s in seen}
    assert final == {(L0, ()): "pass", (L0, variant): "fail"}
    shown = main_matrix._Progress([L0], ((), variant), live=False)
    for target, tags, state in seen:
        shown.update(target, tags, state)
    err = capsys.readouterr().err
    assert f"cgotrap: {L0.name}: pass\n" in err
    assert f"cgotrap: {L0.name} +netgo,osusergo: fail\n" in err
    table = shown.renderable()
    assert table.row_count == 2
    assert table.title == "cgotrap matrix: 2/2 done"
