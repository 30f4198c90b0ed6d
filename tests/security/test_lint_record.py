"""A forged, foreign or stale record of a committed version's content-rule findings
(``.git/reviewkit/linted.json``, which lets ``approve`` after ``review`` skip the rules)
never lets a version with an error through.

SECURITY.md points here (``LR:``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from reviewkit.record.remembered import LINTED_FILE, remember_linted

from conftest import Project, article

A = "content/articles/coping-with-worry.md"
UNSAFE = "A short introduction. He committed suicide last year.\n\n## Find care\n\nCall 988.\n"


def _record(project: Project) -> Path:
    return project.path / ".git" / "reviewkit" / LINTED_FILE


def _approve(project: Project) -> tuple[int, str]:
    r = project.rk("approve", A, "--as", "dwhitfield", "--key", str(project.reviewer.private),
                   "-m", "Reviewed.")
    return r.code, r.output


def _refused(project: Project, first: str) -> None:
    code, out = _approve(project)
    assert code == 1 and "does not validate" in out and "safe-messaging" in out, out
    assert out == first  # the same refusal, word for word, from the record or the rules


def _unsafe(project: Project) -> str:
    """Commit a version with a content-rule error; approve refuses it (and remembers why)."""
    project.repo.write(A, article(body=UNSAFE))
    project.repo.commit("unsafe wording")
    code, out = _approve(project)
    assert code == 1 and "safe-messaging" in out, out
    items = json.loads(_record(project).read_text())["linted"]
    assert len(items) == 1 and json.loads(items[0]["findings"]), items
    return out


def test_the_record_gives_the_same_refusal(project: Project) -> None:
    first = _unsafe(project)
    _refused(project, first)


def test_forged_findings_do_not_let_an_error_through(project: Project) -> None:
    first = _unsafe(project)
    doc = json.loads(_record(project).read_text())
    doc["linted"][0]["findings"] = "[]"  # "no findings", with the old MAC
    _record(project).write_text(json.dumps(doc))
    _refused(project, first)
    doc["linted"][0]["mac"] = "0" * 64
    _record(project).write_text(json.dumps(doc))
    _refused(project, first)


def test_foreign_record_does_not_let_an_error_through(project: Project, tmp_path: Path) -> None:
    """A record made under another key (another machine, a restored CI cache)."""
    first = _unsafe(project)
    lint = json.loads(_record(project).read_text())["linted"][0]["lint"]
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "other-machine")
    try:
        remember_linted(project.path / ".git", lint, [])
    finally:
        del os.environ["XDG_CACHE_HOME"]
    assert json.loads(json.loads(_record(project).read_text())["linted"][0]["findings"]) == []
    _refused(project, first)


def test_a_clean_record_does_not_cover_a_changed_word_list(project: Project) -> None:
    """The publication's word lists are part of what the findings depend on: edit one and
    the version is linted again (the record of it as clean no longer applies)."""
    config = project.repo.read("reviewkit.yaml").replace("rules: {}",
                                                         "rules:\n  word_lists: [words.yaml]")
    project.repo.write("reviewkit.yaml", config)
    project.repo.write("words.yaml", "person-first:\n  avoid: []\n")
    project.repo.write(A, article(body="Plain words. Some call him a basket case.\n\n"
                                       "## Find care\n\nTalk to a professional.\n"))
    project.repo.commit("article and word list")
    r = project.rk("comment", A, "--as", "dwhitfield", "-m", "Looks fine.")
    assert r.code == 0, r.output
    assert json.loads(json.loads(_record(project).read_text())["linted"][0]["findings"]) == []
    project.repo.write("words.yaml", "person-first:\n  avoid:\n    - phrase: basket case\n"
                                     "      level: error\n")
    code, out = _approve(project)
    assert code == 1 and "person-first" in out and "basket case" in out, out
