"""The published page: for readers (byline, author, dates, phone-width layout) and for
search engines (lang, JSON-LD), with web-server permissions; checked in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from reviewkit.outputs.publish import human_date

from conftest import BODY, Project, article, default_reviewers, registry_yaml

A = "content/articles/coping-with-worry.md"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--hide-scrollbars"]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium is not installed at /usr/bin/chromium "
           "(.ci/run installs it with `apt-get install -y chromium`)")

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


@pytest.fixture
def page(project: Project, tmp_path: Path) -> tuple[Path, str]:
    cfg = project.repo.read("reviewkit.yaml") + \
        "\npublish:\n  base_url: https://health.example.org/articles/\n  lang: en\n"
    project.repo.write("reviewkit.yaml", cfg)
    text = article(body=BODY.replace(
        "Plain words about the topic.",
        f"Plain words about the topic [@lee2021]. {LONG_WORD}\n\n"
        "| Sign | What to do |\n| --- | --- |\n| Racing thoughts | Slow breathing |\n\n"
        "~~Old advice~~ current advice.[^1]\n\n[^1]: See the references.")) \
        .replace("draft: false", "draft: false\nlang: es") \
        .replace("citations: []", 'citations:\n  - id: lee2021\n    title: "Worry and sleep"\n'
                 '    publisher: "Example Press"\n    year: 2021\n'
                 "    url: https://example.org/lee2021\n")
    project.repo.write(A, text)
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[0]["languages"] = ["en", "es"]  # a Spanish page needs a reader of Spanish
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("a page with everything")
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output
    out = tmp_path / "bundle"
    old = os.umask(0o022)
    try:
        r = project.rk("publish", "--out", str(out), "--format", "html")
    finally:
        os.umask(old)
    assert r.code == 0, r.output
    return out, (out / "coping-with-worry.html").read_text()


def test_page_speaks_to_readers_and_search_engines(page: tuple[Path, str]) -> None:
    out, html = page
    today = human_date(dt.datetime.now(dt.timezone.utc).date())
    assert '<html lang="es">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                              re.S).group(1))  # type: ignore[union-attr]
    assert ld["inLanguage"] == "es"
    assert ld["url"] == "https://health.example.org/articles/coping-with-worry.html"
    assert ld["citation"] == [{"@type": "CreativeWork", "name": "Worry and sleep",
                               "url": "https://example.org/lee2021",
                               "publisher": {"@type": "Organization", "name": "Example Press"},
                               "datePublished": "2021"}]
    assert ld["lastReviewed"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert ld["reviewedBy"]["hasCredential"]["name"] == "LPC"
    footer = html.split('<footer class="review-record">', 1)[1]
    assert f"Clinically reviewed by Dana Whitfield, LPC on {today}" in footer
    assert '<a href="manifest.json">review manifest</a>' in footer
    assert "By Jordan Lee · Updated 20 November 2026" in html
    # the one Markdown dialect: tables, strikethrough, footnotes render
    assert "<table>" in html and "<s>Old advice</s>" in html and "footnote-ref" in html


def test_bundle_permissions_follow_the_umask(page: tuple[Path, str]) -> None:
    out, _ = page
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    for p in out.rglob("*"):
        want = 0o755 if p.is_dir() else 0o644
        assert stat.S_IMODE(p.stat().st_mode) == want, p


def _measure(url: str, width: int, profile: Path, png: Path) -> int:
    """scrollWidth of the page laid out ``width`` CSS pixels wide, and a screenshot.

    Headless Chromium's window is at least 500 px wide, so the page is loaded in an
    iframe of exactly ``width`` px (its layout viewport) inside a probe page."""
    page = Path(url[len("file://"):])
    probe = page.with_name(f"probe-{width}.html")
    probe.write_text(
        f'<html><body style="margin:0"><iframe id="f" src="{page.name}" width="{width}" '
        'height="900" style="border:0"></iframe><script>'
        "document.getElementById('f').addEventListener('load', function () {"
        " document.body.setAttribute('data-scroll-width',"
        " this.contentDocument.documentElement.scrollWidth); });</script></body></html>")
    args = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            "--allow-file-access-from-files", f"--window-size={max(width, 500)},900",
            "--virtual-time-budget=3000"]
    proc = subprocess.run([*args, "--dump-dom", probe.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'data-scroll-width="(\d+)"', proc.stdout)
    assert m, proc.stdout[-1000:]
    subprocess.run([*args, f"--screenshot={png}", probe.as_uri()],
                   capture_output=True, timeout=120, check=True)
    probe.unlink()
    return int(m.group(1))


@pytest.mark.slow
@needs_chromium
def test_no_sideways_scroll_on_a_phone(page: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = page
    url = (out / "coping-with-worry.html").as_uri()
    for width in (375, 1280):
        png = tmp_path / f"page-{width}.png"
        scroll = _measure(url, width, tmp_path / "profile", png)
        print(f"screenshot at {width} px: {png} (scrollWidth {scroll})")
        assert scroll <= width, f"the page scrolls sideways at {width} px: {scroll}"
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.slow
@needs_chromium
def test_the_width_check_is_not_vacuous(page: tuple[Path, str], tmp_path: Path) -> None:
    out, html = page
    bad = out / "wide.html"
    bad.write_text(html.replace("overflow-wrap: break-word;", "")
                   .replace(".review-record code { overflow-wrap: anywhere; word-break: break-all; }",
                            "code { white-space: nowrap; }"))
    assert _measure(bad.as_uri(), 375, tmp_path / "profile", tmp_path / "wide.png") > 375
