"""`reviewkit report --html DIR`: the static dashboard, its numbers, and a real browser."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from catalogue_fixture import Catalogue, big_catalogue  # noqa: F401

from reviewkit.record.project import load_project
from reviewkit.review.workflow import record

from conftest import Project, article, rk

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium is not installed at /usr/bin/chromium "
           "(.ci/run installs it with `apt-get install -y chromium`)",
)


def embedded(index: Path) -> dict[str, object]:
    """The JSON the dashboard embeds in <script type="application/json">."""
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                  index.read_text(encoding="utf-8"), re.S)
    assert m, "no embedded data"
    data: dict[str, object] = json.loads(m.group(1))
    return data


def rendered_counts(index: Path) -> dict[str, int]:
    text = index.read_text(encoding="utf-8")
    return {k: int(v) for k, v in re.findall(r'data-count="([\w-]+)">(\d+)<', text)}


def table_states(index: Path) -> list[str]:
    return re.findall(r'<tr data-state="(\w+)"', index.read_text(encoding="utf-8"))


# --- the 500-article catalogue ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard(big_catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
              ) -> tuple[Catalogue, Path, float]:
    out = tmp_path_factory.mktemp("dash") / "dashboard"
    start = time.perf_counter()
    r = rk("report", "--html", str(out), cwd=big_catalogue.project.path)
    seconds = time.perf_counter() - start
    assert r.code == 0, r.output
    assert "500 article pages" in r.out
    return big_catalogue, out, seconds


@pytest.mark.slow
def test_dashboard_numbers_match_status_json(dashboard: tuple[Catalogue, Path, float]) -> None:
    cat, out, seconds = dashboard
    print(f"\n500-article catalogue: built in {cat.seconds:.1f}s ({cat.events} signed/recorded "
          f"events); dashboard rendered in {seconds:.2f}s")  # the target: docs/performance.md
    status = json.loads(rk("status", "--format", "json", cwd=cat.project.path).out)
    index = out / "index.html"
    data = embedded(index)

    # the fixture's intended states are what status says
    assert {a["path"]: a["state"] for a in status["articles"]} == cat.expected
    # embedded status == status --format json (one source), up to the clock
    emb = data["status"]
    assert isinstance(emb, dict)
    assert emb["counts"] == status["counts"]
    assert emb["events_tip"] == status["events_tip"]
    assert emb["articles"] == status["articles"]
    # the numbers on the page
    shown = rendered_counts(index)
    assert shown["total"] == 500 == sum(status["counts"].values())
    for state, n in status["counts"].items():
        assert shown[state] == n, state
    # (the fixture has no translation: source_changed is the one state at zero)
    assert {k: v for k, v in data["counts"].items() if v} == {  # type: ignore[attr-defined]
        k: v for k, v in status["counts"].items() if k != "source_changed"}
    assert status["counts"]["source_changed"] == 0
    states = table_states(index)
    assert len(states) == 500
    for state, n in status["counts"].items():
        assert states.count(state) == n
    # dashboard.json is the embedded data
    assert json.loads((out / "dashboard.json").read_text()) == data
    # one page per article
    assert len(list((out / "articles").glob("*.html"))) == 500


@pytest.mark.slow
def test_due_soon_matches_due_command(dashboard: tuple[Catalogue, Path, float]) -> None:
    cat, out, _ = dashboard
    due = json.loads(rk("due", "--within", "30d", "--format", "json", cwd=cat.project.path).out)
    data = embedded(out / "index.html")
    assert sorted(data["due_soon"]) == sorted(d["path"] for d in due)  # type: ignore[arg-type]
    assert len(due) == 10  # 5 due within 30 days, 5 expired
    text = (out / "index.html").read_text()
    assert text.count('class="due-soon"') == 5
    assert text.count('class="due-overdue"') == 5
    assert re.search(r'data-count="due-soon">5<', text)
    assert re.search(r'data-count="overdue">5<', text)


@pytest.mark.slow
def test_article_pages_show_audit_trail_and_diff(dashboard: tuple[Catalogue, Path, float]) -> None:
    cat, out, _ = dashboard
    stale = (out / "articles/article-0047.html").read_text()
    assert "Audit trail (1 event)" in stale
    assert '<span class="del">-Plain words about the topic.</span>' in stale
    assert '<span class="add">+Plain words about the topic, now revised.</span>' in stale
    # the reviewer's message is escaped, never markup
    changes = (out / "articles/article-0040.html").read_text()
    assert "Add the 988 crisis line &lt;and&gt; cite the guideline." in changes
    assert "<and>" not in changes
    assert "Audit trail (2 events)" in changes
    # a never-approved article: all of it awaits review
    draft = (out / "articles/article-0300.html").read_text()
    assert "never approved: the whole article awaits review" in draft
    assert '<span class="add">+## Find care</span>' in draft
    # approved and unchanged: nothing awaits review
    approved = (out / "articles/article-0001.html").read_text()
    assert "no changes since the version approved on" in approved
    assert 'class="yes">verified<' in approved


# --- in a real browser -----------------------------------------------------------------------


@dataclass
class Browsed:
    selftest: dict[str, object]
    dom: str
    console: list[str]


def browse(url: str, profile: Path) -> Browsed:
    """Load ``url#selftest`` headless; the page writes its results into #selftest."""
    proc = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
         "--virtual-time-budget=5000", "--dump-dom", url + "#selftest"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'<pre id="selftest">(.*?)</pre>', proc.stdout, re.S)
    assert m and m.group(1), f"the page wrote no self-test result:\n{proc.stdout[-2000:]}"
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return Browsed(json.loads(html.unescape(m.group(1))), proc.stdout, console)


def screenshot(url: str, png: Path, profile: Path) -> None:
    subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
         f"--screenshot={png}", "--window-size=1280,900", url],
        capture_output=True, timeout=120, check=True,
    )


@pytest.mark.slow
@needs_chromium
def test_dashboard_in_chromium(dashboard: tuple[Catalogue, Path, float], tmp_path: Path) -> None:
    _, out, _ = dashboard
    counts = embedded(out / "index.html")["counts"]
    assert isinstance(counts, dict)
    b = browse((out / "index.html").as_uri(), tmp_path / "profile")
    t = b.selftest
    assert t["errors"] == [], t["errors"]
    assert b.console == [], b.console  # the page logs nothing at all: no error, no warning
    assert t["total"] == 500 and t["initial_visible"] == 500
    # the state filter narrows the table to exactly the counted articles
    states = t["states"]
    assert isinstance(states, dict)
    assert set(states) == {s for s, n in counts.items() if n}
    for state, got in states.items():
        assert got["visible"] == counts[state] == got["count_element"], state
        assert got["all_match"], state
    # the text filter narrows it
    text = t["text_filter"]
    assert isinstance(text, dict)
    assert 1 <= text["visible"] < 500 and text["all_match"], text
    assert t["no_match"] == {"visible": 0, "message_shown": True}
    assert t["due_visible"] == 10
    assert t["final_visible"] == 500
    # a header click sorts: the dumped DOM is sorted by title
    assert t["sorted_by_title"] == "descending" and t["sorted_final"] == "ascending"
    body = b.dom.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    keys = [html.unescape(k) for k in re.findall(r'<td data-sort="([^"]*)"><a ', body)]
    assert len(keys) == 500
    assert keys == sorted(keys)

    png = tmp_path / "dashboard.png"
    screenshot((out / "index.html").as_uri(), png, tmp_path / "profile")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
    assert len(data) > 20_000  # not a blank page
    shutil.copy(png, out / "screenshot.png")


@pytest.mark.slow
@needs_chromium
def test_article_page_in_chromium(dashboard: tuple[Catalogue, Path, float], tmp_path: Path) -> None:
    _, out, _ = dashboard
    b = browse((out / "articles/article-0040.html").as_uri(), tmp_path / "profile")
    assert b.selftest == {"errors": [], "events": 2}
    assert b.console == []


@pytest.mark.slow
@needs_chromium
def test_browser_check_catches_errors(tmp_path: Path, project: Project) -> None:
    """The check is not vacuous: a page with a script error or a blocked load fails it."""
    out = tmp_path / "dash"
    assert project.rk("report", "--html", str(out)).code == 0
    index = out / "index.html"
    text = index.read_text()
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace('<pre id="selftest">',
                                   '<img src="https://cdn.example.org/x.png">'
                                   '<script>noSuchFunction();</script><pre id="selftest">'))
    b = browse(broken.as_uri(), tmp_path / "profile")
    errors = b.selftest["errors"]
    assert isinstance(errors, list)
    assert any("noSuchFunction" in e for e in errors), errors
    assert any("img-src" in e or "default-src" in e for e in errors), errors
    assert any("noSuchFunction" in line for line in b.console)


# --- small repositories ----------------------------------------------------------------------


def test_report_of_a_small_repo(project: Project, tmp_path: Path) -> None:
    p = project
    path = str(p.path / "content/articles/coping-with-worry.md")
    assert p.rk("submit", path).code == 0
    r = p.rk("approve", path, "--key", str(p.reviewer.private), "--as", "dwhitfield")
    assert r.code == 0, r.output
    out = tmp_path / "dash"
    r = p.rk("report", "--html", str(out))
    assert r.code == 0, r.output
    assert r.out.startswith(f"wrote {out / 'index.html'} and 1 article page: 1 article (1 approved)")
    page = (out / "articles/coping-with-worry.html").read_text()
    assert "Dana Whitfield" in page and "LPC" in page
    assert "Audit trail (2 events)" in page
    text = (out / "index.html").read_text()
    # self-contained: no external resource of any kind
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert 'href="articles/coping-with-worry.html"' in text


def test_script_data_cannot_close_the_script_element(project: Project, tmp_path: Path) -> None:
    p = project
    title = "Panic </script><script>alert(1)</script> & <b>worry</b>"
    p.repo.write("content/articles/coping-with-worry.md",
                 article(title=title.replace('"', '\\"')))
    p.repo.commit("title")
    out = tmp_path / "dash"
    assert p.rk("report", "--html", str(out)).code == 0
    text = (out / "index.html").read_text()
    script = text.split('id="dashboard-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    data = embedded(out / "index.html")
    assert data["rows"][0]["title"] == title  # type: ignore[index]
    assert "<script>alert(1)" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in text
    assert "&lt;b&gt;worry" in (out / "articles/coping-with-worry.html").read_text()


def test_report_without_events(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "dash"
    r = project.rk("report", "--html", str(out))
    assert r.code == 0, r.output
    text = (out / "index.html").read_text()
    assert "no review events: refs/reviewkit/events does not exist here" in text
    assert "No review events yet." in text
    assert rendered_counts(out / "index.html")["draft"] == 1


def test_report_replaces_an_earlier_dashboard_atomically(project: Project, tmp_path: Path) -> None:
    p = project
    out = tmp_path / "out" / "dash"
    assert p.rk("report", "--html", str(out)).code == 0
    p.repo.git("mv", "content/articles/coping-with-worry.md", "content/articles/worry.md")
    text = p.repo.read("content/articles/worry.md").replace("slug: coping-with-worry", "slug: worry")
    p.repo.write("content/articles/worry.md", text)
    p.repo.commit("rename")
    r = p.rk("report", "--html", str(out))
    assert r.code == 0, r.output
    assert sorted(f.name for f in (out / "articles").iterdir()) == ["worry.html"]
    assert sorted(f.name for f in out.parent.iterdir()) == ["dash"]  # no temp dir left behind


def test_report_refuses_a_directory_that_is_not_a_dashboard(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out" / "precious"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("keep me")
    r = project.rk("report", "--html", str(out))
    assert r.code == 2
    assert "not an earlier reviewkit dashboard" in r.err
    assert (out / "notes.txt").read_text() == "keep me"
    assert sorted(f.name for f in out.parent.iterdir()) == ["precious"]


def test_report_requires_html_and_a_valid_window(project: Project, tmp_path: Path) -> None:
    assert project.rk("report").code == 2
    r = project.rk("report", "--html", str(tmp_path / "d"), "--within", "soon")
    assert r.code == 2
    assert "--within" in r.err
    h = project.rk("report", "--help")
    assert h.code == 0 and "Example:" in h.out and "--within" in h.out


def test_within_sets_the_due_soon_highlight(project: Project, tmp_path: Path) -> None:
    p = project
    path = str(p.path / "content/articles/coping-with-worry.md")
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=345)
    record(load_project(p.path), "approved", path, as_id="dwhitfield",
           key=str(p.reviewer.private), now=when)
    narrow, wide = tmp_path / "narrow", tmp_path / "wide"
    assert p.rk("report", "--html", str(narrow), "--within", "7d").code == 0
    assert p.rk("report", "--html", str(wide), "--within", "6w").code == 0
    assert 'class="due-soon"' not in (narrow / "index.html").read_text()
    assert 'class="due-soon"' in (wide / "index.html").read_text()
    assert embedded(wide / "index.html")["within_days"] == 42


def test_events_of_deleted_articles_are_noted(project: Project, tmp_path: Path) -> None:
    p = project
    assert p.rk("submit", str(p.path / "content/articles/coping-with-worry.md")).code == 0
    p.repo.git("rm", "-q", "content/articles/coping-with-worry.md")
    p.repo.write("content/articles/other.md", article(id="01JDX3Q7G6M2N8P4R5S6T7V8WA",
                                                      slug="other", title="Other"))
    p.repo.commit("replace")
    out = tmp_path / "dash"
    assert p.rk("report", "--html", str(out)).code == 0
    assert "1 event of articles not in the catalogue" in (out / "index.html").read_text()


def test_unreadable_event_files_are_shown(project: Project, tmp_path: Path) -> None:
    from reviewkit.base.git import open_repo
    from reviewkit.record.ledger import EVENTS_REF

    p = project
    assert p.rk("submit", str(p.path / "content/articles/coping-with-worry.md")).code == 0
    repo = open_repo(p.path)
    old = repo.rev_parse(EVENTS_REF)
    assert old
    article_dir = repo.ls_tree(old)[0].path.rsplit("/", 1)[0]  # <shard>/<article id>
    name = f"{article_dir}/20250101T000000Z-approved-mallory-00112233aabbccdd.json"
    tree = repo.tree_with(old, {name: repo.hash_object(b"<script>{not json")})
    assert repo.update_ref(EVENTS_REF, repo.commit_tree(tree, [old], "x\n", "x", "x@x"), old, "t")
    out = tmp_path / "dash"
    assert p.rk("report", "--html", str(out)).code == 0
    text = (out / "index.html").read_text()
    assert "Event files that do not count (1)" in text and name in text
    page = (out / "articles/coping-with-worry.html").read_text()
    assert "Audit trail (2 events)" in page and "not valid JSON" in page
