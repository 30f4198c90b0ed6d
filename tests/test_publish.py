"""`reviewkit publish`: approved content only, atomically, with the signed byline."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reviewkit.outputs.publish import human_date
from reviewkit.record.signing import AllowedKey, verify

from conftest import Project, article

A = "content/articles/coping-with-worry.md"


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def approve(project: Project) -> None:
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output


def test_refused_publish_leaves_out_exactly_as_it_was(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "manifest.json").write_text('{"old": true}')
    (out / "old.html").write_text("old")
    before = tree(out)
    r = project.rk("publish", "--out", str(out))
    assert r.code == 1
    assert "publish refused" in r.err and "nothing was written" in r.err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "site"]  # no temp dirs left
    r = project.rk("publish", "--out", str(tmp_path / "new"))
    assert r.code == 1 and not (tmp_path / "new").exists()


def test_an_out_that_cannot_be_made_is_an_environment_error(project: Project,
                                                            tmp_path: Path) -> None:
    """Not a crash (exit 4): a one-line error naming the place, exit 3, nothing left."""
    approve(project)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    for out in (blocker / "bundle", Path("/proc/reviewkit-no-such-dir/bundle")):
        r = project.rk("publish", "--out", str(out))
        assert r.code == 3, r.output
        assert r.err.startswith(f"Error: {out}: cannot create the output directory there")
        assert "Traceback" not in r.output and "internal error" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "site"]


def test_html_bundle_with_byline_json_ld_and_manifest(project: Project, tmp_path: Path) -> None:
    project.repo.write("content/articles/wip.md",
                       article(slug="wip", id="01JDX3Q7G6M2N8P4R5S6T7V8WE", draft="true"))
    project.repo.commit("draft")
    approve(project)
    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out), "--format", "html")
    assert r.code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["coping-with-worry.html", "manifest.json",
                                                     "review-record"]
    html = (out / "coping-with-worry.html").read_text()
    today = r.out and json.loads((out / "manifest.json").read_text())["articles"][0]["approvals"][0]["at"][:10]
    when = __import__("datetime").date.fromisoformat(today)
    assert f"Clinically reviewed by Dana Whitfield, LPC on {human_date(when)}" in html
    ld_text = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert ld_text is not None
    ld = json.loads(ld_text.group(1))
    assert ld["@type"] == "MedicalWebPage" and ld["lastReviewed"] == today
    assert ld["reviewedBy"]["@type"] == "Person" and ld["reviewedBy"]["name"] == "Dana Whitfield"
    assert ld["reviewedBy"]["hasCredential"]["name"] == "LPC"
    assert "<h2>What it is</h2>" in html
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["articles"][0]
    assert entry["id"] == "01JDX3Q7G6M2N8P4R5S6T7V8W9" and entry["slug"] == "coping-with-worry"
    assert entry["digest"].startswith("sha256:")
    # a downstream site can verify the signature from the manifest alone
    approval = entry["approvals"][0]
    payload = json.dumps({k: v for k, v in approval["event"].items() if k != "sig"},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    result = verify(payload, approval["sig"], "dwhitfield",
                    [AllowedKey("dwhitfield", project.reviewer.line)],
                    __import__("datetime").datetime.fromisoformat(approval["at"].replace("Z", "+00:00")))
    assert result.ok, result.reason
    assert approval["event"]["digest"] == entry["digest"]


def test_md_bundle_enriches_front_matter_and_replaces_previous(project: Project, tmp_path: Path) -> None:
    approve(project)
    out = tmp_path / "bundle"
    assert project.rk("publish", "--out", str(out), "--format", "html").code == 0
    assert project.rk("publish", "--out", str(out)).code == 0
    assert sorted(p.name for p in out.iterdir()) == ["coping-with-worry.md", "manifest.json",
                                                     "review-record"]
    text = (out / "coping-with-worry.md").read_text()
    assert "reviewed_by:" in text and "last_reviewed:" in text and "review_digest: \"sha256:" in text
    # the editor's byline paragraph is replaced by the one from the signed record
    assert "— Clinical reviewer*" not in text
    body = text.split("\n---\n", 1)[1]
    assert body.count("Clinically reviewed by Dana Whitfield, LPC") == 1
    assert re.search(r"\*Clinically reviewed by Dana Whitfield, LPC on \d{1,2} [A-Z][a-z]+ \d{4}\*",
                     text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "site"]


def test_publish_refuses_foreign_directory(project: Project, tmp_path: Path) -> None:
    approve(project)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    r = project.rk("publish", "--out", str(out))
    assert r.code == 2 and "not an earlier reviewkit bundle" in r.err
    assert (out / "notes.txt").read_text() == "precious"


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "reviewkit", "demo", "--keep", str(tmp_path / "d")],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "The story held." in proc.stdout
    assert (tmp_path / "d/site/reviewkit.yaml").is_file()


def test_html_renders_citations_and_one_byline(project: Project, tmp_path: Path) -> None:
    text = project.repo.read(A).replace(
        "citations: []",
        'citations:\n  - id: lee2021\n    title: "Worry and sleep"\n    publisher: "Example Press"\n'
        "    year: 2021\n    url: https://example.org/lee2021\n",
    ).replace("Plain words about the topic.",
              "Plain words about the topic [@lee2021]. Code `[@lee2021]` stays.")
    project.repo.write(A, text)
    project.repo.commit("citation")
    approve(project)
    out = tmp_path / "bundle"
    assert project.rk("publish", "--out", str(out), "--format", "html").code == 0
    html = (out / "coping-with-worry.html").read_text()
    assert '<sup class="cite"><a href="#ref-lee2021">[1]</a></sup>' in html
    assert '<li id="ref-lee2021"><a href="https://example.org/lee2021">Worry and sleep (Example Press, 2021)</a></li>' in html
    assert "<code>[@lee2021]</code>" in html
    # the signed byline, in the header and in the footer; the editor's copy is gone
    assert html.count("Clinically reviewed by") == 2
    assert "Clinical reviewer" not in html
