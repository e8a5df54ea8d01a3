"""The CI recipes run as CI would run them: the Action's shell steps, the pre-commit hook's
entry, and the README's GitHub, pre-commit, GitLab and plain-shell recipes (extracted from
README.md), each on a fixture module, with the real cgotrap installed in .venv.

Each recipe is run twice: on a module whose findings are all in its baseline (it passes),
and after a commit-to-be adds a package that needs cgo (it fails, naming it)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.formattools import sarif_errors
from tests.gatefixtures import PROCINFO, cgo_only, git, write_module

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # .venv/bin: cgotrap, python and pip as installed
NEW_PACKAGE = "ex.com/gate/fresh"


def shell_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(extra or {})}


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`script` as GitHub runs a `shell: bash` step (bash -eo pipefail) or a CI job line."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def readme_block(heading: str) -> str:
    """The code block under `### heading` of README's "Use it in CI" section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Use it in CI\n", 1)[1].split("\n## ", 1)[0]
    part = section.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0]
    found = re.search(r"```(\w+)\n(.*?)```", part, re.DOTALL)
    assert found is not None, f"no code block under {heading}"
    return found.group(2)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout: a git repository whose root is the module, with a committed baseline."""
    root = write_module(tmp_path / "ws", {"procinfo": PROCINFO, "a": cgo_only("a")})
    (root / ".cgotrap.toml").write_text('[targets]\nselect = ["linux/amd64", "darwin/arm64"]\n')
    git(root, "init", "-q", "-b", "main")
    done = bash("cgotrap baseline", root, shell_env())
    assert done.returncode == 0, done.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def add_cgo_package(root: Path) -> None:
    write_module(root, {"procinfo": PROCINFO, "a": cgo_only("a"), "fresh": cgo_only("fresh")})


# --- the Action -----------------------------------------------------------------------------


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return loaded


def _expand(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "steps.check.outputs.exit-code":
            return outputs.get("exit-code", "")
        raise AssertionError(f"expression the test does not know: {expr}")

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_action(workspace: Path, given: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    """Run the Action's steps like the runner: `run` steps in bash with their env, `uses`
    steps checked, not run. Returns the last step's exit code, the step summary, outputs."""
    spec = action()
    assert set(given) <= set(spec["inputs"]), "the recipe passes inputs the Action lacks"
    inputs = {name: str(v.get("default", "")) for name, v in spec["inputs"].items()}
    inputs.update(given)
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    summary = temp / "summary.md"
    summary.write_text("")
    outputs_file = temp / "output"
    outputs: dict[str, str] = {}
    used = []
    code = 0
    for step in spec["runs"]["steps"]:
        if "uses" in step:
            used.append(step["uses"].split("@")[0])
            continue
        condition = step.get("if", "")
        if "steps.check.outputs.exit-code != ''" in condition and not outputs.get("exit-code"):
            continue
        outputs_file.write_text("")
        env = {k: _expand(str(v), inputs, outputs) for k, v in step.get("env", {}).items()}
        env |= {
            "GITHUB_OUTPUT": str(outputs_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(temp),
        }
        done = bash(_expand(step["run"], inputs, outputs), workspace, shell_env(env))
        for line in outputs_file.read_text().splitlines():
            key, _, val = line.partition("=")
            outputs[key] = val
        code = done.returncode
        if code != 0:
            break
    assert used == ["actions/setup-python", "github/codeql-action/upload-sarif"]
    return code, summary.read_text(), outputs


def test_action_steps_and_readme_recipe(workspace: Path) -> None:
    workflow = yaml.safe_load(readme_block("GitHub Actions"))
    steps = workflow["jobs"]["cgo"]["steps"]
    ours = [s for s in steps if s.get("uses", "").split("@")[0].endswith("/cgotrap")]
    assert len(ours) == 1
    upload = next(s for s in action()["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "cgotrap.sarif"
    assert workflow["permissions"]["security-events"] == "write"  # upload-sarif needs it

    code, summary, outputs = run_action(workspace, ours[0].get("with", {}))
    assert (code, outputs["exit-code"]) == (0, "0")
    assert summary.startswith("### cgotrap scan")
    sarif = workspace / "cgotrap.sarif"
    assert sarif_errors(sarif, workspace.parent) == []
    assert json.loads(sarif.read_text())["runs"][0]["results"]  # known findings still shown

    add_cgo_package(workspace)
    code, summary, outputs = run_action(workspace, ours[0].get("with", {}))
    assert (code, outputs["exit-code"]) == (1, "1")  # the Gate step fails the job
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    new = [r for r in results if NEW_PACKAGE in r["message"]["text"]]
    assert [r["ruleId"] for r in new] == ["CGO001"]

    assert NEW_PACKAGE.replace(".", "\\.").replace("/", "\\/") in summary
    assert sarif_errors(sarif, workspace.parent) == []


# --- pre-commit -----------------------------------------------------------------------------


def test_pre_commit_hook_and_readme_recipe(workspace: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "cgotrap-check")
    config = yaml.safe_load(readme_block("pre-commit"))
    (used,) = [h for repo in config["repos"] for h in repo["hooks"]]
    assert used["id"] == hook["id"]
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])  # pre-commit matches with re.search
    for path in ("a/a.go", "go.mod", "x/y.c", ".cgotrap.toml", "cgotrap-baseline.json"):
        assert files.search(path), path
    for path in ("README.md", "docs/x.txt", "go.mod.orig"):
        assert not files.search(path), path

    command = [*shlex.split(hook["entry"]), *used.get("args", [])]
    done = subprocess.run(
        command, cwd=workspace, env=shell_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    add_cgo_package(workspace)
    done = subprocess.run(
        command, cwd=workspace, env=shell_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert NEW_PACKAGE in done.stdout


# --- GitLab ---------------------------------------------------------------------------------


def test_readme_gitlab_recipe(workspace: Path) -> None:
    job = yaml.safe_load(readme_block("GitLab CI"))["cgotrap"]
    report = workspace / job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"  # the report is kept when the job fails

    def run_job() -> int:
        for line in job["script"]:
            done = bash(line, workspace, shell_env())
            if done.returncode != 0:
                return done.returncode
        return 0

    assert run_job() == 0
    assert isinstance(json.loads(report.read_text()), list)
    add_cgo_package(workspace)
    assert run_job() == 1
    issues = json.loads(report.read_text())
    assert any(NEW_PACKAGE in issue["description"] for issue in issues)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)


# --- plain shell ----------------------------------------------------------------------------


def test_readme_shell_recipe(tmp_path: Path) -> None:
    lines = [line for line in readme_block("Plain shell").splitlines() if line.strip()]
    root = write_module(tmp_path / "m", {"procinfo": PROCINFO, "a": cgo_only("a")})
    (root / ".cgotrap.toml").write_text('[targets]\nselect = ["linux/amd64", "darwin/arm64"]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")  # the target branch

    codes = [bash(line, root, shell_env()).returncode for line in lines]
    assert codes == [0, 0, 0, 0], lines
    assert (root / "cgotrap-baseline.json").is_file()

    add_cgo_package(root)
    results = [bash(line, root, shell_env()) for line in lines[2:]]
    assert [r.returncode for r in results] == [1, 1]
    for r in results:
        assert NEW_PACKAGE in r.stdout
