"""A large catalogue for the report and audit tests: many articles, every state.

The articles are written directly and committed at once; a few dozen real, signed review
events are then recorded through :func:`reviewkit.review.workflow.record`, some of them dated in
the past so that approvals are due soon or expired.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from reviewkit.record.project import load_project
from reviewkit.review.workflow import record

from conftest import (
    GitRepo,
    Key,
    Project,
    article,
    default_reviewers,
    isolated_env,
    registry_yaml,
    rk,
)

TOPICS = ["anxiety", "depression", "relationships", "sleep", "grief", "stress"]
WORDS = ["Coping with", "Understanding", "Signs of", "Living with", "Talking about",
         "Recovering from", "Helping a friend with", "Myths about"]
SUBJECTS = ["worry", "panic attacks", "low mood", "insomnia", "loss", "burnout", "loneliness",
            "social anxiety", "fear of intimacy", "perfectionism"]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid_for(i: int) -> str:
    digits = ""
    n = i
    for _ in range(8):
        digits = CROCKFORD[n % 32] + digits
        n //= 32
    return "01JDX3Q7G6M2N8P4R5" + digits


def slug_for(i: int) -> str:
    return f"article-{i:04d}"


def path_for(i: int) -> str:
    return f"content/articles/{slug_for(i)}.md"


def title_for(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]} {SUBJECTS[(i // len(WORDS)) % len(SUBJECTS)]} ({i})"


@dataclass
class Catalogue:
    project: Project
    n: int
    expected: dict[str, str] = field(default_factory=dict)  # path -> state we made
    events: int = 0
    seconds: float = 0.0  # to build it


def build(p: Project, n: int = 500, *, now: dt.datetime | None = None,
          draft_after: int | None = None) -> Catalogue:
    """``n`` articles (the conftest article is removed); states as in ``expected``.

    With ``draft_after``, articles from that index on are ``draft: true`` (the gate ignores
    them); the rest that get no event (53 up to it) are blocked as never submitted.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    repo = p.repo
    (repo.path / "content/articles/coping-with-worry.md").unlink()
    for i in range(n):
        draft = "true" if draft_after is not None and i >= draft_after else "false"
        repo.write(path_for(i), article(id=ulid_for(i), title=title_for(i), slug=slug_for(i),
                                        topics=TOPICS[i % len(TOPICS)], draft=draft))
    repo.commit(f"{n} articles")
    cat = Catalogue(p, n, {path_for(i): "draft" for i in range(n)})
    project = load_project(repo.path)
    reviewer, second = str(p.reviewer.private), str(p.second.private)

    def rec(kind: str, i: int, days_ago: float = 0, **kw: object) -> None:
        when = (now - dt.timedelta(days=days_ago)).replace(microsecond=0)
        record(project, kind, str(repo.path / path_for(i)), now=when, **kw)  # type: ignore[arg-type]
        cat.events += 1

    # approved now (with a submission first), by two reviewers with two credentials
    for i in range(0, 20):
        rec("submitted", i, 3, as_id="jlee", reviewer="dwhitfield")
        rec("approved", i, 1, as_id="dwhitfield" if i % 2 else "mokafor",
            key=reviewer if i % 2 else second, message="Accurate and safe.")
        cat.expected[path_for(i)] = "approved"
    # approved 350 days ago: due for re-review within 30 days
    for i in range(20, 25):
        rec("approved", i, 350, as_id="dwhitfield", key=reviewer)
        cat.expected[path_for(i)] = "approved"
    # approved 400 days ago: expired
    for i in range(25, 30):
        rec("approved", i, 400, as_id="mokafor", key=second)
        cat.expected[path_for(i)] = "expired"
    # submitted, awaiting review
    for i in range(30, 40):
        rec("submitted", i, 2, as_id="jlee")
        cat.expected[path_for(i)] = "in_review"
    # changes requested
    for i in range(40, 45):
        rec("submitted", i, 5, as_id="jlee")
        rec("changes_requested", i, 4, as_id="dwhitfield", key=reviewer,
            message="Add the 988 crisis line <and> cite the guideline.")
        cat.expected[path_for(i)] = "changes_requested"
    # approved, then edited: stale
    for i in range(45, 50):
        rec("approved", i, 30, as_id="dwhitfield", key=reviewer)
        cat.expected[path_for(i)] = "stale"
    for i in range(45, 50):
        text = repo.read(path_for(i))
        repo.write(path_for(i), text.replace("Plain words about the topic.",
                                             "Plain words about the topic, now revised."))
    # invalid: a required field missing
    for i in range(50, 53):
        text = repo.read(path_for(i))
        repo.write(path_for(i), text.replace('description: "A short description of the article."\n', ""))
        cat.expected[path_for(i)] = "invalid"
    repo.commit("edits after review")
    return cat


_built: list[Catalogue] = []  # shared by every module that imports the fixture


@contextmanager
def seeded_site(tmp_path_factory: pytest.TempPathFactory, keys: Callable[[str], Key],
                name: str) -> Iterator[tuple[Project, pytest.MonkeyPatch]]:
    """An isolated environment (own HOME and git config, for module- or session-scoped
    fixtures that the per-test isolation does not cover) and a site with reviewkit set up,
    the three usual people in its registry and one article committed."""
    home = tmp_path_factory.mktemp(f"{name}-home")
    with pytest.MonkeyPatch.context() as mp:
        for var, value in isolated_env(home).items():
            if value is None:
                mp.delenv(var, raising=False)
            else:
                mp.setenv(var, value)
        repo = GitRepo(tmp_path_factory.mktemp(name) / "site")
        assert rk("init", cwd=repo.path).code == 0
        reviewer, second, editor = keys("dwhitfield"), keys("mokafor"), keys("jlee")
        repo.write("reviewers.yaml", registry_yaml(default_reviewers(reviewer, second, editor)))
        repo.write("content/articles/coping-with-worry.md", article())
        repo.commit("initial content")
        assert os.environ["HOME"] == str(home)
        yield Project(repo, reviewer, second, editor), mp


@pytest.fixture(scope="session")
def big_catalogue(tmp_path_factory: pytest.TempPathFactory,
                  keys: Callable[[str], Key]) -> Iterator[Catalogue]:
    """The 500-article repository, built once per test session (it takes a few seconds).

    Tests must not change it.
    """
    if _built:
        yield _built[0]
        return
    with seeded_site(tmp_path_factory, keys, "big") as (project, _):
        home = os.environ["HOME"]
        start = time.perf_counter()
        cat = build(project)
        cat.seconds = time.perf_counter() - start
        assert os.environ["HOME"] == home
    _built.append(cat)
    yield cat
