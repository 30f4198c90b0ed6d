"""The md bundle as the content directory of a real site generator (Hugo)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Project

ROOT = Path(__file__).resolve().parent.parent
A = "content/articles/coping-with-worry.md"
HUGO = shutil.which("hugo")


@pytest.mark.skipif(HUGO is None, reason="Hugo is not installed (.ci/run installs Debian's "
                                         "`hugo` package with apt-get)")
@pytest.mark.slow
def test_hugo_builds_the_md_bundle_with_byline_and_json_ld(project: Project, tmp_path: Path) -> None:
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output
    site = tmp_path / "hugo-site"
    shutil.copytree(ROOT / "examples/hugo", site)
    r = project.rk("publish", "--out", str(site / "content"), "--format", "md")
    assert r.code == 0, r.output
    proc = subprocess.run([str(HUGO), "--quiet", "-s", str(site), "-d", str(site / "public")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (site / "public/coping-with-worry/index.html").read_text()
    assert re.search(r'<p class="byline">Clinically reviewed by Dana Whitfield, LPC on '
                     r"\d{1,2} [A-Z][a-z]+ \d{4}</p>", page), page
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert m, page
    ld = json.loads(m.group(1))
    assert ld["@type"] == "MedicalWebPage"
    assert ld["reviewedBy"]["name"] == "Dana Whitfield"
    assert ld["reviewedBy"]["hasCredential"]["name"] == "LPC"
    assert '<html lang="en">' in page and "<h1>Coping with worry</h1>" in page
    assert "By Jordan Lee" in page
