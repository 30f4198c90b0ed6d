"""`reviewkit init` and `reviewkit new`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from reviewkit.article.frontmatter import update
from reviewkit.article.scaffold import new_ulid, scaffold_files, slugify

from conftest import GitRepo, rk

ROOT = Path(__file__).resolve().parent.parent


def test_init_scaffolds_and_refuses_to_overwrite(git_repo) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepo = git_repo()
    r = rk("init", cwd=repo.path)
    assert r.code == 0, r.output
    for rel in ("reviewkit.yaml", "reviewers.yaml", "schemas/article.schema.json",
                ".github/workflows/reviewkit.yml", ".github/actions/reviewkit/action.yml"):
        assert (repo.path / rel).is_file(), rel
        assert f"created {rel}\n" in r.out
    # the event format is fixed by the package (a copy would suggest it can be configured)
    assert not (repo.path / "schemas/review-event.schema.json").exists()
    # the workflow runs the action init wrote next to it, which is reviewkit's own
    assert "uses: ./.github/actions/reviewkit\n" in repo.read(".github/workflows/reviewkit.yml")
    assert (repo.path / ".github/actions/reviewkit/action.yml").read_bytes() == \
        (ROOT / "action.yml").read_bytes()
    assert (repo.path / "content/articles").is_dir()
    repo.write("reviewkit.yaml", "# mine\n")
    (repo.path / "reviewers.yaml").unlink()
    r = rk("init", cwd=repo.path)
    assert r.code == 2
    assert "refusing to overwrite: reviewkit.yaml" in r.err
    assert repo.read("reviewkit.yaml") == "# mine\n"
    assert not (repo.path / "reviewers.yaml").exists()  # nothing written at all


def test_files_written_for_people_follow_the_umask_and_the_cache_stays_private(
        git_repo) -> None:  # type: ignore[no-untyped-def]
    """init, new and translate write files a team shares (0644 under umask 022), not the
    0600 of a temporary file; what reviewkit keeps for itself stays 0600."""
    import os

    repo: GitRepo = git_repo()
    old = os.umask(0o022)
    try:
        assert rk("init", cwd=repo.path).code == 0
        r = rk("new", "Sleep and worry", "--author", "Jordan Lee",
               "--email", "j.lee@example.org", cwd=repo.path)
        assert r.code == 0, r.output
        for rel in ("reviewkit.yaml", "reviewers.yaml", "schemas/article.schema.json",
                    ".github/workflows/reviewkit.yml", "content/articles/sleep-and-worry.md"):
            assert (repo.path / rel).stat().st_mode & 0o777 == 0o644, rel
        assert rk("status", cwd=repo.path).code in (0, 1)
        kept = [p for p in (repo.path / ".git" / "reviewkit").iterdir() if p.is_file()]
        assert kept and all(p.stat().st_mode & 0o777 == 0o600 for p in kept), kept
    finally:
        os.umask(old)


def test_init_refuses_when_only_the_action_exists(git_repo) -> None:  # type: ignore[no-untyped-def]
    """A team's own (perhaps edited) action is never replaced, and nothing else is written."""
    repo: GitRepo = git_repo()
    repo.write(".github/actions/reviewkit/action.yml", "# ours\n")
    r = rk("init", cwd=repo.path)
    assert r.code == 2
    assert "refusing to overwrite: .github/actions/reviewkit/action.yml" in r.err
    assert repo.read(".github/actions/reviewkit/action.yml") == "# ours\n"
    assert not (repo.path / "reviewkit.yaml").exists()
    assert not (repo.path / ".github/workflows").exists()


def test_shipped_schemas_are_the_packaged_ones() -> None:
    files = scaffold_files()
    assert files["schemas/article.schema.json"] == (ROOT / "schemas/article.schema.json").read_bytes()
    # the repository's event schema documents the format the ledger checks
    packaged = ROOT / "reviewkit/data/schemas/review-event.schema.json"
    assert packaged.read_bytes() == (ROOT / "schemas/review-event.schema.json").read_bytes()


def test_new_then_validate_passes_and_new_twice_fails(git_repo) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepo = git_repo()
    rk("init", cwd=repo.path)
    r = rk("new", "Fear of intimacy: causes, signs and how to cope", cwd=repo.path)
    assert r.code == 0, r.output
    path = repo.path / "content/articles/fear-of-intimacy-causes-signs-and-how-to-cope.md"
    text = path.read_text()
    assert re.search(r"^id: [0-9A-HJKMNP-TV-Z]{26}$", text, re.M)
    assert 'name: "Jordan Lee"' in text and 'email: "j.lee@example.org"' in text
    assert "draft: true" in text
    assert rk("validate", cwd=repo.path).code == 0
    path.write_text(text + "\nmy edits\n")
    r = rk("new", "Fear of intimacy: causes, signs and how to cope", cwd=repo.path)
    assert r.code == 2
    assert "already exists; reviewkit never overwrites" in r.err
    assert path.read_text() == text + "\nmy edits\n"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".reviewkit-")]


def test_new_with_options_and_missing_identity(git_repo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepo = git_repo()
    rk("init", cwd=repo.path)
    r = rk("new", "Panic", "--slug", "panic-attacks", "--author", "Sam Roe", "--email",
           "sam@example.org", cwd=repo.path)
    assert r.code == 0, r.output
    assert 'name: "Sam Roe"' in (repo.path / "content/articles/panic-attacks.md").read_text()
    assert rk("new", "X", "--slug", "Bad Slug", cwd=repo.path).code == 2
    empty = repo.path.parent / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    r = rk("new", "Nobody", cwd=repo.path)
    assert r.code == 2 and "pass --author NAME --email EMAIL" in r.err


def test_ulid_and_slug() -> None:
    ids = {new_ulid() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    assert new_ulid(0).startswith("0000000000")
    assert slugify("Fear of intimacy: causes, signs & how to cope!") == "fear-of-intimacy-causes-signs-how-to-cope"
    assert slugify("Café — naïve") == "cafe-naive"


def test_front_matter_round_trip_keeps_comments_order_and_quotes() -> None:
    text = ("---\n# who wrote it\ntitle: 'Single quoted'  # keep me\nslug: x\n"
            "topics: [a, b]\n---\nbody\n")
    out = update(text, {"last_reviewed": "2026-11-20"})
    assert out.startswith("---\n# who wrote it\ntitle: 'Single quoted'  # keep me\nslug: x\n"
                          "topics: [a, b]\nlast_reviewed:")
    assert out.endswith("---\nbody\n")


def test_python_dash_m_and_help_are_fast_paths() -> None:
    proc = subprocess.run([sys.executable, "-m", "reviewkit", "--help"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0
    for cmd in ("init", "new", "validate", "status", "submit", "approve", "request-changes",
                "log", "gate", "publish", "sync", "due", "demo", "queue", "review"):
        assert cmd in proc.stdout
    proc = subprocess.run([sys.executable, "-c", "import reviewkit.cli, sys; "
                           "print(sorted(m for m in sys.modules if m.startswith(('git', 'jsonschema', 'pydantic', 'ruamel', 'markdown_it'))))"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]", "the CLI module must import its libraries lazily"
