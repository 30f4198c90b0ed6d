"""`publish` keeps the last approved version live; assets are part of what is signed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import BODY, Project, article, put_event

A = "content/articles/coping-with-worry.md"
B = "content/articles/never-approved.md"
PNG1 = b"\x89PNG\r\n\x1a\n" + b"chart version one" * 10
PNG2 = b"\x89PNG\r\n\x1a\n" + b"chart version TWO" * 10


def approve(project: Project, rel: str = A) -> None:
    r = project.rk("approve", str(project.path / rel), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output


def manifest(out: Path) -> dict[str, object]:
    data = json.loads((out / "manifest.json").read_text())
    assert isinstance(data, dict)
    return data


def test_edit_after_approval_serves_the_approved_version(project: Project, tmp_path: Path) -> None:
    approve(project)
    project.repo.write(B, article(slug="never-approved", id="01JDX3Q7G6M2N8P4R5S6T7V8WB",
                                  title="Never approved"))
    text = project.repo.read(A).replace("Plain words about the topic.", "Version two words.")
    project.repo.write(A, text)
    project.repo.commit("v2 of the article, and a new article")
    assert project.rk("submit", str(project.path / A)).code == 0

    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out), "--format", "html")
    assert r.code == 0, r.output
    page = (out / "coping-with-worry.html").read_text()
    assert "Plain words about the topic." in page and "Version two words." not in page
    assert not (out / "never-approved.html").exists()
    assert f"{A}: older version served" in r.out and "is stale" in r.out
    assert "2 articles not published at their current version:" in r.out
    assert f"{B}: held back" in r.out and "reviewkit submit" in r.out
    m = manifest(out)
    held = {h["path"]: h for h in m["held_back"]}  # type: ignore[index, union-attr]
    assert held[A]["outcome"] == "older version served" and held[A]["next"]
    assert held[B]["outcome"] == "held back" and held[B]["state"] == "draft"
    entry = m["articles"][0]  # type: ignore[index]
    assert entry["served"] == "older" and entry["current_state"] == "stale"

    # --strict: the old behaviour, nothing written
    strict = tmp_path / "strict"
    r = project.rk("publish", "--out", str(strict), "--strict")
    assert r.code == 1 and "--strict" in r.err and not strict.exists()

    approve(project)  # v2 approved: the page holds v2
    r = project.rk("publish", "--out", str(out), "--format", "html")
    assert r.code == 0, r.output
    page = (out / "coping-with-worry.html").read_text()
    assert "Version two words." in page and "Plain words about the topic." not in page
    assert f"{A}:" not in r.out


def test_history_search_finds_the_approved_blob_when_the_event_names_another(
        project: Project, tmp_path: Path) -> None:
    """The event's blob is a hint: a changed exempt field (tags) gives another blob with
    the same digest, which the bounded history walk finds."""
    approve(project)
    text = project.repo.read(A).replace("draft: false", "draft: false\ntags: [calm]")
    project.repo.write(A, text)
    project.repo.commit("tags only: same digest")
    project.repo.write(A, text.replace("Plain words about the topic.", "Edited."))
    project.repo.commit("edit")
    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    page = (out / "coping-with-worry.md").read_text()
    assert "Plain words about the topic." in page
    # exempt fields are unreviewed: never in the bundle
    assert "tags" not in page.split("\n---\n", 1)[0] and "calm" not in page


def test_expired_approval_follows_policy(project: Project, tmp_path: Path) -> None:
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    put_event(project.path, "submitted", A, "jlee", None, at=old - dt.timedelta(hours=1))
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, at=old,
              credential="LPC")
    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    assert not (out / "coping-with-worry.md").exists()
    assert "held back" in r.out and "policy.expired is 'withdraw'" in r.out

    cfg = project.repo.read("reviewkit.yaml") + "\n"
    cfg = cfg.replace("policy:\n", "policy:\n  expired: keep\n") if "policy:\n" in cfg \
        else cfg + "policy:\n  expired: keep\n"
    project.repo.write("reviewkit.yaml", cfg)
    project.repo.commit("keep expired pages")
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    assert (out / "coping-with-worry.md").exists()
    assert "served with expired approval" in r.out and "re-review is overdue" in r.out
    assert manifest(out)["articles"][0]["expired_kept"] is True  # type: ignore[index]


def _with_image(project: Project, data: bytes) -> None:
    project.repo.write("content/articles/img/chart.png", data)
    body = BODY.replace("Plain words about the topic.",
                        "Plain words about the topic.\n\n![Dosage chart](img/chart.png)")
    project.repo.write(A, article(body=body))


def test_replaced_image_makes_the_approval_stale_and_publish_serves_approved_bytes(
        project: Project, tmp_path: Path) -> None:
    _with_image(project, PNG1)
    project.repo.commit("with chart")
    approve(project)
    project.repo.write("content/articles/img/chart.png", PNG2)
    project.repo.commit("chart replaced")

    r = project.rk("status", str(project.path / A))
    assert "stale" in r.out and "content/articles/img/chart.png" in r.out, r.output
    r = project.rk("review", str(project.path / A))
    assert "asset content/articles/img/chart.png changed since the approved version" in r.out
    r = project.rk("gate")
    assert r.code == 1

    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out), "--format", "html")
    assert r.code == 0, r.output
    assert (out / "img/chart.png").read_bytes() == PNG1
    assert '<img src="img/chart.png" alt="Dosage chart"' in (out / "coping-with-worry.html").read_text()
    entry = manifest(out)["articles"][0]  # type: ignore[index]
    assert entry["assets"][0]["path"] == "content/articles/img/chart.png"


def test_missing_and_escaping_assets_are_findings(project: Project) -> None:
    body = BODY + ("\n![gone](img/none.png)\n\n![up](../../../etc/passwd)\n\n"
                   "![abs](/etc/passwd)\n\n<img src=\"../../reviewers.yaml.png\">\n\n"
                   "[sheet](files/sheet.pdf) and [other page](other-page.md) and "
                   "[web](https://example.org/x.png)\n")
    project.repo.write(A, article(body=body))
    (project.path / "content/articles/files").mkdir(parents=True)
    (project.path / "content/articles/files/sheet.pdf").symlink_to("/etc/hostname")
    r = project.rk("validate", str(project.path / A))
    assert r.code == 1
    out = r.output
    assert "asset-missing" in out and "img/none.png" in out
    # climbs out, absolute, symlink, and an <img> above the article's folder
    assert out.count("asset-outside") == 4, out
    assert "reviewers.yaml.png' lies outside the article's folder" in out
    assets = [line for line in out.splitlines() if "[asset-" in line]
    assert len(assets) == 5, assets
    assert not any("other-page.md" in a or "example.org" in a for a in assets)
    r = project.rk("gate")
    assert r.code == 1
    # the link itself, validated as a whole catalogue: named as a file, not as an article
    r = project.rk("validate")
    linked = [line for line in r.output.splitlines() if "error[symlink]" in line]
    assert len(linked) == 1 and "files/sheet.pdf" in linked[0]
    assert "(articles and their images) must be regular files" in linked[0]


def test_cache_rereads_an_article_whose_asset_changed(project: Project) -> None:
    """The article's bytes are unchanged, so its cache entry matches: its assets are
    re-hashed before the entry is trusted (a cached digest would hide the new chart)."""
    _with_image(project, PNG1)
    project.repo.commit("with chart")
    approve(project)
    for _ in range(2):  # fill the cache, then read from it
        r = project.rk("gate")
        assert r.code == 0, r.output
    project.repo.write("content/articles/img/chart.png", PNG2)
    project.repo.commit("chart replaced")
    r = project.rk("gate")
    assert r.code == 1 and "stale" in r.output, r.output
