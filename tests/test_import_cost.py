"""One-article commands import only what they use (issue 17: ``status`` and ``approve`` of
one article stay fast at any catalogue size; most of their time was imports).

Guarded by what lands in ``sys.modules`` of a real ``reviewkit`` process, never by time:
``--help`` loads no library at all; ``status PATH`` neither the content rules, the Markdown
parser nor jsonschema (once the schema is known checked); ``approve`` no jsonschema; no
command pydantic (the models are reviewkit's own, base/structs.py). The
output is the same whether or not the lazy paths are taken.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import Project

A = "content/articles/coping-with-worry.md"

RUNNER = """\
import json, sys
from reviewkit.cli import main
code = 0
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

# a one-article status needs none of these (the content rules and the Markdown parser run
# only in validate/gate/approve; jsonschema only to name an article's schema errors; the
# standard library's tempfile and shutil only to write, pickle only for publish; pydantic
# only for the content rules' options: reviewkit's own models are structs)
NOT_FOR_STATUS = ("reviewkit.rules", "markdown_it", "jsonschema", "multiprocessing",
                  "tempfile", "shutil", "pickle", "pydantic")
NOT_FOR_HELP = ("pydantic", "jsonschema", "markdown_it", "ruamel", "reviewkit.rules",
                "reviewkit.base.model", "reviewkit.record", "reviewkit.review",
                "reviewkit.outputs")


def run(tmp_path: Path, cwd: Path, *args: str) -> tuple[int, str, set[str]]:
    """(exit code, stdout, imported module names) of ``reviewkit -C cwd ARGS``."""
    out = tmp_path / "modules.json"
    p = subprocess.run([sys.executable, "-c", RUNNER, str(out), "-C", str(cwd), *args],
                       capture_output=True, text=True, check=False)
    assert out.exists(), p.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    return got["code"], p.stdout, set(got["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_help_imports_no_library(project: Project, tmp_path: Path) -> None:
    code, out, modules = run(tmp_path, project.path, "--help")
    assert code == 0 and "Clinical review sign-off" in out
    assert loaded(modules, NOT_FOR_HELP) == []


def test_status_of_one_article_imports_no_rules_parser_or_jsonschema(
        project: Project, tmp_path: Path) -> None:
    # the first run checks the schema in full (jsonschema) and remembers it, authenticated
    code, first, modules = run(tmp_path, project.path, "status", A)
    assert code == 0 and "coping-with-worry.md" in first
    assert "jsonschema" in modules
    code, again, modules = run(tmp_path, project.path, "status", A)
    assert code == 0 and again == first
    assert loaded(modules, NOT_FOR_STATUS) == []
    # JSON too (it carries the reading grade: the readability rule alone may load)
    code, js, modules = run(tmp_path, project.path, "status", A, "--format", "json")
    assert code == 0 and json.loads(js)["articles"][0]["state"] == "draft"
    assert loaded(modules, ("jsonschema", "multiprocessing")) == []


def test_status_of_an_article_the_schema_rejects_is_unchanged_by_the_lazy_schema(
        project: Project, tmp_path: Path) -> None:
    project.repo.write(A, project.repo.read(A).replace("updated: 2026-11-20", "updated: someday"))
    code, first, modules = run(tmp_path, project.path, "status", A)  # full schema check
    assert code == 0 and "invalid" in first and "updated" in first
    code, again, modules = run(tmp_path, project.path, "status", A)  # checked: fast path
    assert code == 0 and again == first
    assert "jsonschema" in modules  # the reference validator names the error


def test_approve_of_one_article_imports_no_jsonschema_or_pydantic(
        project: Project, tmp_path: Path) -> None:
    assert run(tmp_path, project.path, "status", A)[0] == 0  # the schema, checked once
    code, out, modules = run(tmp_path, project.path, "approve", A, "--as", "dwhitfield",
                             "--key", str(project.reviewer.private), "-m", "Accurate.")
    assert code == 0 and "state now: approved" in out, out
    # reviewkit's models are its own (base/structs.py); pydantic is only the tests' reference
    assert loaded(modules, ("jsonschema", "multiprocessing", "pydantic")) == []


def test_approve_of_a_version_reviewed_here_loads_no_content_rules(
        project: Project, tmp_path: Path) -> None:
    """The content rules' findings of a committed version are remembered (authenticated,
    tests/security/test_lint_record.py): `review` (or `comment`) then `approve` of the same
    version lint it once, and the second command does not even load the rules."""
    code, out, modules = run(tmp_path, project.path, "comment", A, "--as", "dwhitfield",
                             "-m", "Reading it now.")
    assert code == 0 and "reviewkit.rules" in modules, out
    code, out, modules = run(tmp_path, project.path, "approve", A, "--as", "dwhitfield",
                             "--key", str(project.reviewer.private), "-m", "Accurate.")
    assert code == 0 and "state now: approved" in out, out
    assert loaded(modules, ("reviewkit.rules", "markdown_it")) == []
