"""action.yml, run the way GitHub runs a composite action: its `run:` steps with bash, in a
checkout of a real repository with an origin, the inputs substituted and GitHub's variables
set; the install step is replaced by this checkout's editable install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from reviewkit.outputs.summary import MARKER

from conftest import Project, article, git, rk

ROOT = Path(__file__).resolve().parents[1]
A = "content/articles/coping-with-worry.md"
NEW = "content/articles/new-one.md"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def pyproject(field: str) -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    m = re.search(rf'^{field} = "([^"]+)"', project, re.M)
    assert m, field
    return m.group(1)


ACTION = load_yaml(ROOT / "action.yml")


def substitute(text: str, inputs: dict[str, str], action: Any = None) -> str:
    """``${{ inputs.x }}`` → the input's value or default, as GitHub does before running."""
    def value(m: re.Match[str]) -> str:
        expr = m.group(1)
        assert expr.startswith("inputs."), f"the test harness does not know {expr!r}"
        name = expr.removeprefix("inputs.")
        spec = (action or ACTION)["inputs"][name]
        return inputs.get(name, str(spec.get("default", "")))
    return EXPR.sub(value, text)


@dataclass
class StepRun:
    id: str
    code: int
    out: str
    err: str


def run_action(workspace: Path, inputs: dict[str, str], runner: Path, base_ref: str = "main",
               action: Any = None) -> tuple[list[StepRun], dict[str, str]]:
    """Every step of ``action`` (default: the root action.yml) in order, stopping at the
    first failure, as GitHub does."""
    action = action or ACTION
    for name, spec in action["inputs"].items():
        if spec.get("required"):
            assert name in inputs, f"required input {name}"
    files = {k: runner / k for k in ("summary.md", "path", "output", "env")}
    for f in files.values():
        f.write_text("")
    env = dict(os.environ)
    env.update({
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": "pull_request" if base_ref else "push",
        "GITHUB_BASE_REF": base_ref, "GITHUB_HEAD_REF": "change" if base_ref else "",
        "GITHUB_REF": "refs/pull/7/merge" if base_ref else "refs/heads/main",
        "GITHUB_REPOSITORY": "example/site", "GITHUB_SHA": git(workspace, "rev-parse", "HEAD"),
        "GITHUB_STEP_SUMMARY": str(files["summary.md"]), "GITHUB_PATH": str(files["path"]),
        "GITHUB_OUTPUT": str(files["output"]), "GITHUB_ENV": str(files["env"]),
        "RUNNER_TEMP": str(runner), "RUNNER_OS": "Linux",
    })
    results = []
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        script = step["run"]
        if step.get("id") == "install":
            # the same contract: after it, `reviewkit` is on the PATH through GITHUB_PATH
            script = f'echo "{Path(sys.executable).parent}" >> "$GITHUB_PATH"\n'
        step_env = dict(env)
        for key, val in (step.get("env") or {}).items():
            step_env[key] = substitute(str(val), inputs, action)
        extra = [p for p in files["path"].read_text().splitlines() if p]
        step_env["PATH"] = os.pathsep.join([*reversed(extra), env["PATH"]])
        script_file = runner / f"{step['id']}.sh"
        script_file.write_text(substitute(script, inputs, action))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                               str(script_file)], cwd=workspace, env=step_env,
                              capture_output=True, text=True, check=False)
        results.append(StepRun(step["id"], proc.returncode, proc.stdout, proc.stderr))
        if proc.returncode:
            break
    return results, {k: f.read_text() for k, f in files.items()}


@pytest.fixture
def pull_request(project: Project, tmp_path: Path) -> Path:
    """origin has main (one approved article) and the events; the checkout is a plain clone
    (no custom refs) on a change that adds an article nobody submitted."""
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private), "--as", "dwhitfield",
                   "-m", "Accurate and safe.")
    assert r.code == 0, r.output
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(project.path, "remote", "add", "origin", str(origin))
    git(project.path, "push", "-q", "origin", "main", "+refs/reviewkit/*:refs/reviewkit/*")
    work = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    git(work, "checkout", "-q", "-b", "change")
    return work


def commit(work: Path, rel: str, text: str) -> None:
    (work / rel).parent.mkdir(parents=True, exist_ok=True)
    (work / rel).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", f"edit {rel}")


def test_action_blocks_an_unreviewed_article_and_writes_every_report(pull_request: Path,
                                                                     tmp_path: Path) -> None:
    work = pull_request
    commit(work, NEW, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WB", title="A new one", slug="new-one"))
    runner = tmp_path / "runner"
    runner.mkdir()
    steps, files = run_action(work, {"version": pyproject("version"), "comment": "c.md",
                                     "junit": "gate.xml", "sarif": "gate.sarif"}, runner)
    assert [(s.id, s.code) for s in steps] == [("install", 0), ("fetch", 0), ("gate", 1)], steps
    gate = steps[-1]
    assert f"::error file={NEW}," in gate.out
    assert "gate FAILED: 1 of 2 articles blocked" in gate.out
    assert git(work, "rev-parse", "--verify", "refs/reviewkit/events")  # fetched by the action
    summary = files["summary.md"]
    assert summary.startswith("### ❌ reviewkit gate: 1 of 2 articles blocked")
    assert "reviewers and policy from `refs/remotes/origin/main`" in summary
    assert "#### Articles this change touches (1)" in summary and f"`{NEW}`" in summary
    assert (work / "c.md").read_text().startswith(MARKER + "\n### ❌ reviewkit gate")
    assert 'failures="1"' in (work / "gate.xml").read_text()
    schema = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(json.loads((work / "gate.sarif").read_text()))


def test_action_passes_a_change_that_touches_no_article(pull_request: Path,
                                                        tmp_path: Path) -> None:
    commit(pull_request, "README.md", "A site.\n")
    runner = tmp_path / "runner"
    runner.mkdir()
    steps, files = run_action(pull_request, {"version": pyproject("version"),
                                             "summary": "false"}, runner)
    assert [(s.id, s.code) for s in steps] == [("install", 0), ("fetch", 0), ("gate", 0)], steps
    assert "gate passed: 1 of 1 articles approved" in steps[-1].out
    assert files["summary.md"] == ""  # summary: "false"
    assert not (pull_request / "reviewkit-comment.md").exists()


def test_action_uses_the_trust_ref_input_and_fails_closed_on_a_bad_one(
        pull_request: Path, tmp_path: Path) -> None:
    commit(pull_request, NEW, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WB", title="New", slug="new-one"))
    base = git(pull_request, "rev-parse", "refs/remotes/origin/main")
    (tmp_path / "r1").mkdir()
    steps, files = run_action(pull_request, {"version": "0.1.0", "trust-ref": base},
                              tmp_path / "r1", base_ref="")
    assert [(s.id, s.code) for s in steps][-1] == ("gate", 1), steps
    assert f"reviewers and policy from `{base}`" in files["summary.md"]
    assert "#### Articles this change touches (1)" in files["summary.md"]
    (tmp_path / "r2").mkdir()
    steps, files = run_action(pull_request, {"version": "0.1.0", "trust-ref": "--output=x"},
                              tmp_path / "r2")
    assert steps[-1].id == "gate" and steps[-1].code in (2, 3), steps
    assert "--output=x" in steps[-1].err and files["summary.md"] == ""


def test_action_refuses_a_version_that_is_not_exact(tmp_path: Path) -> None:
    """The install step itself (not replaced here): an injected version never reaches pip."""
    step = next(s for s in ACTION["runs"]["steps"] if s["id"] == "install")
    script = tmp_path / "install.sh"
    script.write_text(substitute(step["run"], {}))
    env = {**os.environ, "REVIEWKIT_DIST": "reviewkit", "RUNNER_TEMP": str(tmp_path),
           "GITHUB_PATH": str(tmp_path / "path"), "REVIEWKIT_VERSION": "1.0 --index-url=x"}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "must be an exact version" in proc.stdout
    assert not (tmp_path / "reviewkit-venv").exists()


def test_action_installs_the_distribution_named_in_pyproject() -> None:
    step = next(s for s in ACTION["runs"]["steps"] if s["id"] == "install")
    assert step["env"]["REVIEWKIT_DIST"] == pyproject("name")
    assert '"${REVIEWKIT_DIST}==${REVIEWKIT_VERSION}"' in step["run"]
    assert set(ACTION["inputs"]) == {"trust-ref", "version", "summary", "comment", "junit",
                                     "sarif"}
    for step in ACTION["runs"]["steps"]:  # inputs reach the shell only through env
        assert "${{" not in step["run"], step["id"]


LOCAL_ACTION = "./.github/actions/reviewkit"


def test_the_packaged_action_is_the_root_action_byte_for_byte() -> None:
    """`init` writes reviewkit/data/action.yml into the user's repository: it must be the
    action this project documents and tests, never a stale copy."""
    from reviewkit.article.scaffold import ACTION_PATH, scaffold_files

    root = (ROOT / "action.yml").read_bytes()
    assert (ROOT / "reviewkit/data/action.yml").read_bytes() == root, (
        "reviewkit/data/action.yml differs from action.yml: cp action.yml reviewkit/data/")
    assert LOCAL_ACTION.removeprefix("./") + "/action.yml" == ACTION_PATH
    assert scaffold_files()[ACTION_PATH] == root


def test_init_workflow_runs_the_local_action_and_comments_in_its_own_job() -> None:
    from reviewkit.article.scaffold import workflow_text

    text = workflow_text(pyproject("version")).decode()  # what `reviewkit init` writes
    wf = YAML(typ="safe").load(text)
    gate = next(s for s in wf["jobs"]["gate"]["steps"] if s.get("id") == "gate")
    # the copy `init` writes, pinned by the repository's own commit: nothing to fill in
    assert gate["uses"] == LOCAL_ACTION
    assert "OWNER/REPO" not in text and "0" * 40 not in text
    steps = wf["jobs"]["gate"]["steps"]
    assert "actions/checkout@" in steps[0]["uses"]  # a local action needs the checkout first
    version = pyproject("version")
    assert gate["with"]["version"] == version
    assert set(gate["with"]) <= set(ACTION["inputs"])
    for line in text.splitlines():  # every other action pinned by a full commit id
        if "uses:" in line and LOCAL_ACTION not in line:
            assert re.search(r"@[0-9a-f]{40} # v[\d.]+$", line), line
    assert wf["permissions"] == {"contents": "read"}
    comment = wf["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["needs"] == "gate"
    assert "head.repo.full_name == github.repository" in comment["if"]  # not for forks
    assert not any("checkout" in str(s.get("uses", "")) for s in comment["steps"])
    assert "pull_request_target" not in wf["on"]
    assert "<!-- reviewkit -->" in text and MARKER == "<!-- reviewkit -->"
    docs = (ROOT / "docs/ci.md").read_text(encoding="utf-8")  # the example shows this shape
    assert f"uses: {LOCAL_ACTION}" in docs and "0" * 40 not in docs


def run_workflow_gate(work: Path, runner: Path, base_ref: str) -> tuple[list[StepRun],
                                                                        dict[str, str], str]:
    """The generated workflow's gate step as GitHub runs it (the action it names, read from
    the checkout, with its `with:`), then its validate step; returns validate's output."""
    wf = load_yaml(work / ".github/workflows/reviewkit.yml")
    steps = wf["jobs"]["gate"]["steps"]
    gate = next(s for s in steps if s.get("id") == "gate")
    action = load_yaml(work / gate["uses"] / "action.yml")
    runner.mkdir()
    results, files = run_action(work, {k: str(v) for k, v in gate["with"].items()}, runner,
                                base_ref=base_ref, action=action)
    validate = next(s for s in steps if str(s.get("name", "")).startswith("Validate"))
    env = {**os.environ, "GITHUB_BASE_REF": base_ref,
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           validate["run"]], cwd=work, env=env, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results, files, proc.stdout + proc.stderr


def test_the_workflow_init_writes_goes_green_on_the_setup_pull_request_and_on_main(
        tmp_path: Path) -> None:
    """A real bare origin: `reviewkit init` on a branch; CI runs the workflow's own gate step
    (the local action copy) on the pull request, then on main after the merge."""
    from reviewkit.article.scaffold import installed_version

    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    editor = tmp_path / "editor"
    git(tmp_path, "clone", "-q", str(origin), str(editor))
    (editor / "README.md").write_text("Our site.\n")
    git(editor, "add", "-A")
    git(editor, "commit", "-q", "-m", "site")
    git(editor, "push", "-q", "origin", "HEAD:refs/heads/main")
    git(editor, "switch", "-q", "-c", "setup-reviewkit")
    r = rk("init", cwd=editor)
    assert r.code == 0, r.output
    assert "created .github/actions/reviewkit/action.yml" in r.out
    assert (editor / ".github/actions/reviewkit/action.yml").read_bytes() == \
        (ROOT / "action.yml").read_bytes()
    git(editor, "add", "-A")
    git(editor, "commit", "-q", "-m", "Set up reviewkit")
    git(editor, "push", "-q", "origin", "setup-reviewkit")

    # the pull request: a fresh checkout of the change, no custom refs, base main
    work = tmp_path / "pr"
    git(tmp_path, "clone", "-q", "--branch", "setup-reviewkit", str(origin), str(work))
    wf = load_yaml(work / ".github/workflows/reviewkit.yml")
    gate = next(s for s in wf["jobs"]["gate"]["steps"] if s.get("id") == "gate")
    assert gate["with"]["version"] == installed_version()
    steps, files, validate = run_workflow_gate(work, tmp_path / "r1", "main")
    assert [(s.id, s.code) for s in steps] == [("install", 0), ("fetch", 0), ("gate", 0)], steps
    out = steps[-1].out
    assert "this is the setup change that adds reviewkit" in out
    assert "once it is merged into refs/remotes/origin/main, every later change" in out
    assert "gate passed" in out
    assert "the setup change" in validate
    assert files["summary.md"].startswith("### ✅ reviewkit gate")
    assert (work / "reviewkit-comment.md").read_text().startswith(MARKER)

    # merged: the push to main runs the same step with the work tree as the trust root
    git(editor, "push", "-q", "origin", "setup-reviewkit:main")
    main = tmp_path / "main"
    git(tmp_path, "clone", "-q", "--branch", "main", str(origin), str(main))
    steps, _, _ = run_workflow_gate(main, tmp_path / "r2", "")
    assert [(s.id, s.code) for s in steps] == [("install", 0), ("fetch", 0), ("gate", 0)], steps
    assert "no review has been recorded yet" in steps[-1].out


def test_the_local_action_blocks_an_unreviewed_article(pull_request: Path,
                                                       tmp_path: Path) -> None:
    """The scaffolded copy fails closed exactly like the root action."""
    from reviewkit.article.scaffold import ACTION_PATH

    editor = pull_request  # a clone of a project made by `reviewkit init`
    assert (editor / ACTION_PATH).read_bytes() == (ROOT / "action.yml").read_bytes()
    commit(editor, NEW, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WB", title="A new one",
                                slug="new-one"))
    runner = tmp_path / "runner"
    runner.mkdir()
    steps, files = run_action(editor, {"version": pyproject("version")}, runner,
                              action=load_yaml(editor / ACTION_PATH))
    assert [(s.id, s.code) for s in steps] == [("install", 0), ("fetch", 0), ("gate", 1)], steps
    assert f"::error file={NEW}," in steps[-1].out
    assert files["summary.md"].startswith("### ❌ reviewkit gate: 1 of 2 articles blocked")
