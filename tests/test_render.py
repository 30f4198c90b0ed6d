"""The rendering layer: lines of marked spans, colour by kind (never by wording), every
printed span printable; the shared file-system helpers; --debug owned by click."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import reviewkit.article.scaffold
from reviewkit.base.fsutil import check_output_dir, staged_directory, write_atomic
from reviewkit.cli._terminal import echo_lines
from reviewkit.outputs.output import plain
from reviewkit.outputs.render import Signoff, due_lines, signoff

from conftest import Project


def test_colour_comes_from_the_kind_and_text_stays_printable(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [[("error", "error"), ("", " evil\x1b[2J\u202e text")], [("", "BLOCKED is only a word")]]
    echo_lines(lines, color=True)
    out = capsys.readouterr().out
    first, second = out.splitlines()
    assert first.startswith("\x1b[31m\x1b[1merror\x1b[0m")  # the marked span, styled
    assert "\\x1b[2J" in first and "\\u202e" in first and "\x1b[2J" not in first
    assert second == "BLOCKED is only a word"  # a prefix no longer colours a line
    echo_lines(lines, color=False)
    assert capsys.readouterr().out == plain(lines).replace("\x1b", "\\x1b").replace(
        "\u202e", "\\u202e") + "\n"


def test_due_marks_overdue_and_names_the_first_approval() -> None:
    status = {"approvals": [], "last_approved": {"name": None, "actor": "dwhitfield",
                                                  "credential": "LPC", "at": "2026-01-02T03:04:05Z"}}
    first = signoff(status)
    assert first == Signoff("dwhitfield", "LPC", "2026-01-02T03:04:05Z")
    assert first.byline() == "dwhitfield, LPC" and first.date == "2026-01-02"
    assert signoff({"approvals": [], "last_approved": None}) is None
    rows = [{"path": "a.md", "state": "expired", "due": "2026-02-01", "reviewer": "Dana Whitfield",
             "credential": "LPC", "approved_at": "2025-02-01T00:00:00Z"}]
    lines = due_lines(rows, 30)
    assert lines[0][0] == ("expired", "OVERDUE")
    assert plain(lines).splitlines() == [
        "OVERDUE 2026-02-01  a.md  (approved 2025-02-01 by Dana Whitfield, LPC)",
        "1 article due for re-review within 30 days"]


def test_write_atomic_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "d" / "report.md"
    write_atomic(target, "first")
    write_atomic(target, [b"sec", b"ond"])
    assert target.read_text() == "second"

    class Boom(Exception):
        pass

    def chunks() -> list[bytes]:
        raise Boom

    with pytest.raises(Boom):
        write_atomic(target, (c for c in chunks()))
    assert target.read_text() == "second" and os.listdir(target.parent) == ["report.md"]
    with pytest.raises(FileExistsError):
        write_atomic(target, "third", exclusive=True)
    assert target.read_text() == "second" and os.listdir(target.parent) == ["report.md"]


def test_staged_directory_swaps_in_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_directory(out) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(RuntimeError), staged_directory(out) as tmp:
        (tmp / "a").write_text("2")
        raise RuntimeError
    assert (out / "a").read_text() == "1" and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("command", ["publish", "report"])
def test_output_directory_that_is_a_symlink_is_refused(project: Project, tmp_path: Path,
                                                      command: str) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "keep.txt").write_text("keep")
    # even one that looks like an earlier output: the swap would replace the link itself
    (real / ("manifest.json" if command == "publish" else "dashboard.json")).write_text("{}")
    link = tmp_path / "out"
    link.symlink_to(real)
    r = project.rk(command, "--out" if command == "publish" else "--html", str(link))
    assert r.code == 2 and "is a symbolic link" in r.err, r.output
    assert link.is_symlink() and (real / "keep.txt").read_text() == "keep"
    with pytest.raises(Exception, match="symbolic link"):
        check_output_dir(link, "manifest.json", str(link), "bundle")


def test_debug_is_the_groups_option_not_any_word(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kw: object) -> Path:
        raise RuntimeError("a bug")

    monkeypatch.setattr(reviewkit.article.scaffold, "new_article", broken)
    r = project.rk("new", "Title", "--slug", "--debug")  # --debug is the slug here
    assert r.code == 4 and "Traceback" not in r.err and "rerun with --debug" in r.err
    r = project.rk("--debug", "new", "Title")
    assert r.code == 4 and "Traceback" in r.err and "RuntimeError: a bug" in r.err
