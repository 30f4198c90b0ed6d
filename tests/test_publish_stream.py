"""`publish` at scale: pages made in forked workers and written one at a time give the very
bundle that one process makes; a re-read that takes the short path (the bytes the gate
parsed) gives the very bundle a full parse gives; a failure leaves no partial output."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import pickle
from pathlib import Path

import pytest
from test_translations import ES, translated  # noqa: F401 (a fixture)
from test_translations import approve as approve_as

import reviewkit.outputs.publish as publish_module
from reviewkit.base import workers
from reviewkit.base.errors import CheckFailed
from reviewkit.outputs import publish_plan
from reviewkit.outputs.publish import REGISTRY_SNAPSHOT, publish
from reviewkit.record.project import load_project

from conftest import BODY, Project, article

A = "content/articles/coping-with-worry.md"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 40


def approve(project: Project, rel: str) -> None:
    r = project.rk("approve", str(project.path / rel), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output


def _site(project: Project) -> None:
    """Five articles approved (one with an image), one edited after its approval (served
    from history), one never approved (held back)."""
    names = ["sleep-and-worry", "panic-at-night", "grief-at-work", "calm-breathing"]
    for i, slug in enumerate(names):
        body = BODY if i else BODY.replace("Plain words about the topic.",
                                           "Plain words.\n\n![Chart](img/chart.png)")
        project.repo.write(f"content/articles/{slug}.md", article(
            id=f"01JDX3Q7G6M2N8P4R5S6T7V8X{i}", title=slug.replace("-", " ").capitalize(),
            slug=slug, body=body))
    project.repo.write("content/articles/img/chart.png", PNG)
    project.repo.write("content/articles/never-approved.md", article(
        id="01JDX3Q7G6M2N8P4R5S6T7V8WB", title="Never approved", slug="never-approved"))
    project.repo.commit("more articles")
    for rel in [A] + [f"content/articles/{s}.md" for s in names]:
        approve(project, rel)
    edited = project.repo.read(A).replace("Plain words about the topic.", "Version two.")
    project.repo.write(A, edited)
    project.repo.commit("v2, not reviewed yet")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _now() -> dt.datetime:
    # one fixed clock for the runs compared, after the approvals (never before them)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=1)


def _publish(project: Project, out: Path, fmt: str, now: dt.datetime) -> dict[str, bytes]:
    publish(load_project(project.path), out, fmt, now=now)  # type: ignore[arg-type]
    return _tree(out)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_workers_and_the_short_reread_give_the_same_bytes(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    _site(project)
    now = _now()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    one = _publish(project, tmp_path / "one", fmt, now)
    m = json.loads(one["manifest.json"])
    assert len(m["articles"]) == 5 and {h["outcome"] for h in m["held_back"]} == {
        "older version served", "held back"}
    assert "img/chart.png" in one
    older = (one[f"coping-with-worry.{fmt}"]).decode()
    assert "Plain words about the topic." in older and "Version two." not in older

    # forked workers (even for a few pages), each page written as it arrives
    monkeypatch.setenv("REVIEWKIT_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_PER_WORKER", 1)
    assert _publish(project, tmp_path / "two", fmt, now) == one

    # every article parsed and validated in full again (no blob matches the gate's)
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    monkeypatch.setattr(publish_plan, "blob_id", lambda data: "")
    assert _publish(project, tmp_path / "full", fmt, now) == one


def test_each_manifest_entry_names_its_own_article(project: Project, tmp_path: Path) -> None:
    _site(project)
    r = project.rk("publish", "--out", str(tmp_path / "b"), "--format", "html")
    assert r.code == 0, r.output
    text = (tmp_path / "b" / "manifest.json").read_text()
    m = json.loads(text)
    # the bundle's JSON files: two-space indent, UTF-8 as is, a final newline
    assert text == json.dumps(m, indent=2, ensure_ascii=False) + "\n"
    snapshot = (tmp_path / "b" / REGISTRY_SNAPSHOT).read_text()
    assert snapshot == json.dumps(json.loads(snapshot), indent=2, ensure_ascii=False) + "\n"
    for entry in m["articles"]:
        page = (tmp_path / "b" / entry["file"]).read_text()
        assert f"<title>{entry['title']}" in page, entry["file"]
    assert len({e["id"] for e in m["articles"]}) == len(m["articles"])


def test_translations_link_the_same_in_workers_and_in_one_process(
        translated: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """hreflang alternates are worked out before the workers start: every page of the
    family, made in any process, links to the same list; the manifest says lang and
    alternates per article."""
    assert approve_as(translated, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    now = _now()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    one = _publish(translated, tmp_path / "one", "md", now)
    m = json.loads(one["manifest.json"])
    by_file = {a["file"]: a for a in m["articles"]}
    en, es = by_file["coping-with-worry.md"], by_file["coping-with-worry-es.md"]
    assert (en["lang"], es["lang"]) == ("en", "es")
    assert en["alternates"] == es["alternates"] == [
        {"lang": "en", "url": "coping-with-worry.md"},
        {"lang": "es", "url": "coping-with-worry-es.md"},
        {"lang": "x-default", "url": "coping-with-worry.md"}]
    assert "alternates:" in one["coping-with-worry-es.md"].decode()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_PER_WORKER", 1)
    assert _publish(translated, tmp_path / "two", "md", now) == one


def test_parallel_iter_streams_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_PER_WORKER", 1)
    items = list(range(100))
    it = workers.parallel_iter(lambda x: x * x, items, 2, chunk=7)
    assert inspect.isgenerator(it)
    assert next(it) == 0
    assert list(it) == [x * x for x in items[1:]]
    stopped = workers.parallel_iter(lambda x: x, items, 2)
    assert next(stopped) == 0
    stopped.close()  # the pool is gone, the next map is unaffected
    assert workers.parallel_map(lambda x: -x, items, 2) == [-x for x in items]


def test_an_article_changed_after_the_gate_refuses_and_keeps_the_old_bundle(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _site(project)
    out = tmp_path / "bundle"
    now = _now()
    before = _publish(project, out, "html", now)
    real_gate = publish_module.run_gate
    target = project.path / "content/articles/panic-at-night.md"

    def gate_then_edit(*args: object, **kw: object) -> object:
        result = real_gate(*args, **kw)  # type: ignore[arg-type]
        target.write_text(target.read_text() + "\nAn edit nobody reviewed.\n")
        return result

    monkeypatch.setattr(publish_module, "run_gate", gate_then_edit)
    with pytest.raises(CheckFailed, match="panic-at-night.md changed while publishing"):
        publish(load_project(project.path), out, "html", now=now)
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle")] == []


def test_present_commits_names_only_full_ids_of_commits(project: Project) -> None:
    repo = load_project(project.path).repo
    head = repo.head()
    assert head is not None
    blob = repo.blob_at_head(A)
    assert blob is not None
    asked = [head, blob, head[:12], "f" * 40, "--all", head + "\nHEAD"]
    assert repo.present_commits(asked) == {head}


def test_pages_of_unchanged_files_are_made_from_the_gates_front_matter(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate hands its parsed front matter to publish: no page of a file the gate read
    (and that shows no asset) parses that front matter again, and the bundle is the one a
    second parse gives."""
    _site(project)
    now = _now()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    monkeypatch.setattr(publish_plan, "blob_id", lambda data: "")  # every file read in full
    full = _publish(project, tmp_path / "full", "html", now)
    monkeypatch.undo()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    parsed: list[str] = []
    real_alternates = publish_module.page_alternates
    real_load = publish_plan.frontmatter.load_yaml

    def counting(text: str, line: int) -> object:
        parsed.append(text)
        return real_load(text, line)

    def alternates_then_count(*args: object, **kw: object) -> object:
        # after the gate and the plan (which reads the older versions): pages from here
        monkeypatch.setattr(publish_plan.frontmatter, "load_yaml", counting)
        return real_alternates(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(publish_module, "page_alternates", alternates_then_count)
    assert _publish(project, tmp_path / "short", "html", now) == full
    # only the article that shows an image is read in full (its asset is read with it)
    assert [t.split("\n")[0] for t in parsed] == ["id: 01JDX3Q7G6M2N8P4R5S6T7V8X0"]


def test_a_front_matter_that_does_not_give_the_approved_digest_is_not_served(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: the front matter the gate hands over is checked against the approved
    digest again; one that differs (here changed in memory) is not used: the file is
    parsed and validated anew, and the page says what was approved."""
    _site(project)
    now = _now()
    monkeypatch.setenv("REVIEWKIT_WORKERS", "1")
    before = _publish(project, tmp_path / "before", "html", now)
    real_gate = publish_module.run_gate

    def gate_then_tamper(*args: object, **kw: object) -> object:
        result = real_gate(*args, **kw)  # type: ignore[arg-type]
        for r in result.report.catalogue.results:
            assert r.front_matter_pickle is not None
            r.front_matter_pickle = pickle.dumps(
                {**pickle.loads(r.front_matter_pickle), "title": "Unreviewed title"})
        return result

    monkeypatch.setattr(publish_module, "run_gate", gate_then_tamper)
    after = _publish(project, tmp_path / "after", "html", now)
    assert after == before
    assert not any(b"Unreviewed title" in data for data in after.values())
