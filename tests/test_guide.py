"""The user guide's pages are rendered from docs/guide/src/ and walkthrough.txt, never
edited by hand: an edit to a rendered page would be lost at the next regeneration."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"


def _render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guide_render", GUIDE / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_guide_page_is_its_rendered_source() -> None:
    done = subprocess.run([sys.executable, str(GUIDE / "render.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (GUIDE / "src").glob("*.md")) == sorted(
        p.name for p in GUIDE.glob("*.md"))


def test_check_reports_a_page_edited_by_hand(tmp_path: Path) -> None:
    render = _render_module()
    (tmp_path / "src").mkdir()
    (tmp_path / "walkthrough.txt").write_text(
        "\n#### s\n$ reviewkit gate\ngate passed\n$ reviewkit status\nnope\n[exit 1]\n",
        encoding="utf-8")
    (tmp_path / "src" / "page.md").write_text("# Page\n\n@@ s | reviewkit gate || reviewkit st\n",
                                             encoding="utf-8")
    render.HERE = tmp_path
    assert render.main([]) == 0
    page = tmp_path / "page.md"
    assert page.read_text(encoding="utf-8") == (
        "# Page\n\n```console\n$ reviewkit gate\ngate passed\n$ reviewkit status\nnope\n```\n"
        "\nExit code 1.\n")
    assert render.main(["--check"]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert render.main(["--check"]) == 1


def test_a_diff_hunk_in_a_code_block_is_text_not_a_directive() -> None:
    render = _render_module()
    src = "```diff\n@@ -62,7 +62,7 @@\n-old\n+new\n```\n"
    assert render.render(src, {}) == src


def test_a_failing_command_must_end_its_block() -> None:
    render = _render_module()
    sections = render.parse("\n#### s\n$ reviewkit gate\nFAIL\n[exit 1]\n$ ls\nx\n")
    with pytest.raises(SystemExit, match="exited 1 but is not the last command"):
        render.render("@@ s | reviewkit gate || ls\n", sections)
    assert render.render("@@ s | reviewkit gate\n", sections).endswith("\nExit code 1.\n")
