"""The attack suite: each test performs one attack on a real throwaway repository and
asserts that the gate blocks it and that its message names the cause.

SECURITY.md lists the threats; each points to a test here (or in the sibling modules).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from _sec import (
    A_ID,
    B_ID,
    EVENTS_REF,
    A,
    B,
    approve,
    assert_blocked,
    event_files,
    gate,
    put_raw,
    request_changes,
    set_registry,
    why,
)

from reviewkit.base.layout import shard
from reviewkit.base.model import ReviewEvent
from reviewkit.record.ledger import event_bytes, make_event
from reviewkit.record.signing import sign

from conftest import BODY, Key, Project, article, current, git, put_event, rk

NOW = dt.datetime.now(dt.timezone.utc)


def _second_article(project: Project) -> None:
    project.repo.write(B, article(slug="sleep-and-mood", id=B_ID, title="Sleep and mood"))
    project.repo.commit("second article")


# --- forged and misattributed signatures ---------------------------------------------------


def test_forged_approval_without_signature(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", None, credential="LPC")
    assert_blocked(project, "'sig' is a required property")


def test_forged_approval_without_signature_evaluated_directly(project: Project) -> None:
    """Second layer: even an event object that skipped the schema is 'not signed'."""
    from reviewkit.record.ledger import StoredEvent
    from reviewkit.record.project import load_project
    from reviewkit.review.policy import evaluate

    aid, digest, blob, head = current(project.path, A)
    e = make_event("approved", article=aid, path=A, digest=digest, blob=blob, commit=head,
                   actor="dwhitfield")
    p = load_project(project.path)
    from reviewkit.article.content import load_article

    art = load_article(p.root, A, p.schema).summary
    s = evaluate(art, A, [StoredEvent(e.file_name(), "0" * 40, e)], p.registry,
                 p.config.policy, NOW)
    assert s.state != "approved"
    assert "not signed" in " ".join(s.reasons)


def test_signature_by_unknown_key(project: Project, keys: Any) -> None:
    put_event(project.path, "approved", A, "dwhitfield", keys("stranger"), credential="LPC")
    assert_blocked(project, "which is not registered for dwhitfield")


def test_reviewer_signature_claiming_another_actor(project: Project) -> None:
    # dwhitfield signs an approval that says it is mokafor's
    put_event(project.path, "approved", A, "mokafor", project.reviewer)
    assert_blocked(project, "not registered for mokafor")


def test_signature_by_actor_not_in_registry(project: Project, keys: Any) -> None:
    put_event(project.path, "approved", A, "mallory", keys("mallory"))
    assert_blocked(project, "'mallory' is not in the reviewer registry")


# --- event JSON altered after signing, field by field --------------------------------------

FIELDS = ["v", "event", "article", "path", "digest", "blob", "commit", "actor", "at",
          "nonce", "message", "credential"]


def _tampered(project: Project, name: str) -> tuple[ReviewEvent, dict[str, object]]:
    """(signed event, field update): if the signature were not checked, the event with
    the update would be an approval of A's current digest that counts."""
    aid, digest, blob, head = current(project.path, A)
    fields: dict[str, Any] = {"article": aid, "path": A, "digest": digest, "blob": blob,
                              "commit": head, "actor": "dwhitfield", "credential": "LPC",
                              "message": "ok"}
    kind = "approved"
    update: dict[str, object]
    if name == "v":
        update = {"v": 2}
    elif name == "event":
        kind, update = "changes_requested", {"event": "approved"}
    elif name == "article":
        fields["article"] = B_ID
        update = {"article": aid}
    elif name == "path":
        update = {"path": "content/articles/other.md"}
    elif name == "digest":
        fields["digest"] = "sha256:" + "ab" * 32
        update = {"digest": digest}
    elif name == "blob":
        update = {"blob": "1" * 40}
    elif name == "commit":
        update = {"commit": "2" * 40}
    elif name == "actor":
        # signed by dwhitfield' key for dwhitfield; renamed to the MD
        update = {"actor": "mokafor", "credential": "MD"}
    elif name == "at":
        update = {"at": "2026-01-01T00:00:00.000000Z"}
    elif name == "nonce":
        update = {"nonce": "f" * 16}
    elif name == "message":
        update = {"message": "Accurate and safe."}
    elif name == "credential":
        fields.pop("credential")
        update = {"credential": "LPC"}
    else:  # pragma: no cover
        raise AssertionError(name)
    at = NOW - dt.timedelta(minutes=5)
    e = make_event(kind, at=at, **fields)
    e = e.model_copy(update={"sig": sign(e.signed_payload(), project.reviewer.private)})
    return e, update


@pytest.mark.parametrize("name", FIELDS)
def test_event_altered_after_signing(project: Project, name: str) -> None:
    signed, update = _tampered(project, name)
    doc = json.loads(event_bytes(signed))
    doc.update(update)
    data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    if name == "v":
        # v has one legal value: any other is refused by the event schema, before signatures
        put_raw(project.path, {signed.file_name(): data})
        assert_blocked(project, "does not match the event schema", "v: 1 was expected")
        return
    altered = ReviewEvent.model_validate(doc)
    if name == "actor":
        # with the key registered for mokafor too (one person, two ids) the key check
        # passes and only the signature over `actor` can catch the relabelling; such a
        # reviewers.yaml no longer loads (test_registry_mistakes.py), so judge it in memory
        from reviewkit.base.model import Registry
        from reviewkit.review.policy import verify_event

        from conftest import default_reviewers

        people = default_reviewers(project.reviewer, project.second, project.editor)
        people[1]["keys"] = [project.second.line, project.reviewer.line]
        ok, why, _ = verify_event(altered, Registry.model_validate({"reviewers": people}))
        assert not ok and "signature does not match the content" in why, why
        put_raw(project.path, {altered.file_name(): data})
        assert_blocked(project, "signature rejected", "not registered for mokafor")
        return
    # the file name follows the altered content, so only the signature can catch it
    put_raw(project.path, {altered.file_name(): data})
    assert_blocked(project, "signature rejected",
                   "signature does not match the content (altered after signing?)")


def test_untampered_control_counts(project: Project) -> None:
    """The control for the loop above: the same event, not altered, passes the gate."""
    signed, _ = _tampered(project, "message")
    put_raw(project.path, {signed.file_name(): event_bytes(signed)})
    assert gate(project)[0] == 0


# --- copies and replays --------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["sharded", "first"])
def test_approval_file_copied_to_another_article(project: Project, layout: str) -> None:
    _second_article(project)
    approve(project)  # A is approved
    files = event_files(project.path)
    (name, data), = files.items()
    # into B's own directory, in either place B's events may be read from
    file = name.rsplit("/", 1)[1]
    stolen = f"{shard(B_ID)}/{B_ID}/{file}" if layout == "sharded" else f"{B_ID}/{file}"
    put_raw(project.path, {stolen: data})
    doc = assert_blocked(project, "file name does not match its content", "copied or renamed")
    blocked = {b["path"]: b["state"] for b in doc["blocked"]}
    assert blocked[B] == "draft"  # B has no approval of its own
    assert A not in blocked


def test_approval_replayed_for_older_digest_after_revert_and_reedit(project: Project) -> None:
    approve(project)  # v1 approved
    text_v1 = project.repo.read(A)
    v2 = text_v1.replace("Plain words about the topic.", "Stop your medication at once.")
    project.repo.write(A, v2)
    project.repo.commit("v2: unsafe edit")
    request_changes(project, message="never advise stopping medication")
    # revert to v1: the content that was approved (same digest) is approved again
    project.repo.git("revert", "--no-edit", "HEAD")
    assert gate(project)[0] == 0
    # re-edit to the rejected content: the old approval does not carry over ...
    project.repo.write(A, v2)
    project.repo.commit("v2 again")
    assert_blocked(project, "changes requested", "never advise stopping medication")
    # ... nor does replaying the approval under a fresh name (new nonce/time)
    (old_name, old), = [(n, d) for n, d in event_files(project.path).items() if "-approved-" in n]
    replay = json.loads(old)
    replay["nonce"] = "0123456789abcdef"
    replay["at"] = (NOW + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    replay["digest"] = current(project.path, A)[1]
    ev = ReviewEvent.model_validate(replay)
    put_raw(project.path, {ev.file_name(): event_bytes(ev)})
    # nor re-adding the very same file (same name, same bytes: nothing changes)
    put_raw(project.path, {old_name: old})
    assert_blocked(project, "changes requested", "signature does not match the content")
    # a third version is stale, naming the last approved one
    project.repo.write(A, v2.replace("at once", "only with your prescriber"))
    project.repo.commit("v3")
    doc = assert_blocked(project)
    assert doc["blocked"][0]["state"] in ("stale", "changes_requested")


def test_revert_to_revoked_version_stays_blocked(project: Project) -> None:
    approve(project)
    request_changes(project, message="the dose is wrong")  # revokes the approval of v1
    text = project.repo.read(A)
    project.repo.write(A, text.replace("Plain words", "Corrected words"))
    project.repo.commit("v2")
    project.repo.git("revert", "--no-edit", "HEAD")  # back to the revoked digest
    assert_blocked(project, "changes requested", "the dose is wrong")


# --- policy: who may approve, and when -----------------------------------------------------


def test_self_approval(project: Project) -> None:
    project.repo.write(A, project.repo.read(A).replace("j.lee@example.org", "D.Whitfield@example.org"))
    project.repo.commit("the reviewer is also the author")
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "self-approval" in r.err
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)  # bypass the CLI
    assert_blocked(project, "self-approval (Dana Whitfield is the article's author)")


def test_approval_by_editor_only_role(project: Project) -> None:
    r = project.rk("approve", str(project.path / A), "--key", str(project.editor.private),
                   "--as", "jlee")
    assert r.code == 1 and "is not a clinical reviewer" in r.err
    put_event(project.path, "approved", A, "jlee", project.editor)  # valid signature, wrong role
    assert_blocked(project, "Jordan Lee is not a clinical reviewer (roles: editor)")


def test_approval_by_admin_without_clinical_role(project: Project) -> None:
    def admin(people: list[dict[str, Any]]) -> None:
        people[2]["roles"] = ["editor", "admin"]
        people[2]["credentials"] = [{"type": "MD"}]
    set_registry(project, admin)
    put_event(project.path, "approved", A, "jlee", project.editor)
    assert_blocked(project, "is not a clinical reviewer")


def test_expired_license(project: Project) -> None:
    def lapse(people: list[dict[str, Any]]) -> None:
        people[0]["credentials"][0]["expires"] = (NOW - dt.timedelta(days=3)).date().isoformat()
    set_registry(project, lapse)
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "license expired" in r.err
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    assert_blocked(project, "Dana Whitfield's LPC license expired on")


def test_credential_claimed_but_not_held(project: Project) -> None:
    project.repo.write(A, project.repo.read(A).replace("topics: [anxiety]", "topics: [medication]"))
    project.repo.commit("medication topic")
    # an LPC signs claiming an MD credential
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, credential="MD")
    assert_blocked(project, "Dana Whitfield holds no MD credential")


@pytest.mark.parametrize("side", ["valid_before", "valid_after"])
def test_key_used_outside_its_validity_window(project: Project, side: str) -> None:
    when = NOW - dt.timedelta(days=5) if side == "valid_before" else NOW + dt.timedelta(days=5)

    def window(people: list[dict[str, Any]]) -> None:
        people[0]["keys"] = [{"key": project.reviewer.line, side: when.isoformat()}]
    set_registry(project, window)
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    assert_blocked(project, "signature rejected", "of dwhitfield is not valid on")


def test_future_dated_approval(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW + dt.timedelta(minutes=30))
    assert_blocked(project, "dated in the future")


def test_future_dated_changes_cannot_be_outvoted_early(project: Project) -> None:
    """A future-dated approval also cannot sort itself after a real changes_requested."""
    request_changes(project)
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW + dt.timedelta(days=1))
    assert_blocked(project, "dated in the future")


# --- the trust root: a change cannot edit its own rules (--trust-ref) ----------------------


def _pr(project: Project) -> str:
    base = git(project.path, "rev-parse", "HEAD")
    git(project.path, "checkout", "-q", "-b", "pr")
    return base


def test_registry_edited_in_the_same_change(project: Project, keys: Any) -> None:
    base = _pr(project)
    mallory: Key = keys("mallory")

    def add(people: list[dict[str, Any]]) -> None:
        people.append({"id": "mallory", "name": "Mal Lory", "email": "mal@example.org",
                       "roles": ["clinical_reviewer"], "credentials": [{"type": "MD"}],
                       "keys": [mallory.line]})
    set_registry(project, add, commit=False)
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("PR: edit, and add myself as a reviewer")
    put_event(project.path, "approved", A, "mallory", mallory)
    assert gate(project)[0] == 0  # what the attack achieves without a trust root
    assert_blocked(project, "'mallory' is not in the reviewer registry",
                   "this change edits reviewers.yaml", args=("--trust-ref", base))


def test_registry_key_swapped_in_the_same_change(project: Project, keys: Any) -> None:
    """The PR replaces a real reviewer's key with the attacker's."""
    base = _pr(project)
    mallory: Key = keys("mallory")

    def swap(people: list[dict[str, Any]]) -> None:
        people[0]["keys"] = [mallory.line]
    set_registry(project, swap)
    put_event(project.path, "approved", A, "dwhitfield", mallory)
    assert gate(project)[0] == 0
    assert_blocked(project, "not registered for dwhitfield", args=("--trust-ref", base))


def _policy(project: Project, old: str, new: str) -> None:
    text = project.repo.read("reviewkit.yaml")
    assert old in text
    project.repo.write("reviewkit.yaml", text.replace(old, new))


def test_policy_weakened_in_the_same_change(project: Project) -> None:
    _policy(project, "approvals_required: 1", "approvals_required: 2")
    project.repo.commit("base: two approvals")
    base = _pr(project)
    _policy(project, "approvals_required: 2", "approvals_required: 1")
    project.repo.commit("PR: one is enough")
    approve(project)
    assert gate(project)[0] == 0
    assert_blocked(project, "1 of 2 required approvals", "this change edits reviewkit.yaml",
                   args=("--trust-ref", base))


def test_self_approval_allowed_in_the_same_change(project: Project) -> None:
    base = _pr(project)
    _policy(project, "allow_self_approval: false", "allow_self_approval: true")
    project.repo.write(A, project.repo.read(A).replace("j.lee@example.org", "d.whitfield@example.org"))
    project.repo.commit("PR: allow self-approval")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    assert gate(project)[0] == 0
    assert_blocked(project, "self-approval", args=("--trust-ref", base))


def test_content_root_moved_in_the_same_change(project: Project) -> None:
    """The PR points `content:` elsewhere so the gate never sees its unreviewed article."""
    approve(project)
    base = _pr(project)
    _policy(project, "content: [content/articles]", "content: [content/empty]")
    (project.path / "content/empty").mkdir()
    (project.path / "content/empty/.keep").write_text("")
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("PR: hide the article from the gate")
    assert gate(project)[0] == 0
    assert_blocked(project, "the content changed since", args=("--trust-ref", base))


def test_schema_exemption_added_in_the_same_change(project: Project) -> None:
    base = _pr(project)
    schema = json.loads(project.repo.read("schemas/article.schema.json"))
    schema["properties"]["description"]["x-review-exempt"] = True
    project.repo.write("schemas/article.schema.json", json.dumps(schema, indent=2))
    project.repo.commit("PR: exempt the description")
    approve(project)  # a reviewer signs the PR's version (digest without the description)
    project.repo.write(A, project.repo.read(A).replace(
        "A short description of the article.", "Cures anxiety in a week, no therapist needed."))
    project.repo.commit("PR: then change the description")
    code, doc = gate(project)
    assert code == 0, why(doc)  # under the PR's own schema the digest did not move
    assert_blocked(project, "the content changed since",
                   "this change edits schemas/article.schema.json", args=("--trust-ref", base))


# --- the events history: deleting a changes_requested ---------------------------------------


def _rewrite_without(path: Path, kind: str) -> str:
    """A new events history with every ``kind`` event removed; the local ref is forced to it."""
    files = {n: d for n, d in event_files(path).items() if f"-{kind}-" not in n}
    from reviewkit.base.git import open_repo

    repo = open_repo(path)
    tree = repo.tree_with(None, {n: repo.hash_object(d) for n, d in files.items()})
    commit = repo.commit_tree(tree, [], "rewritten", "m", "m@x")
    git(path, "update-ref", EVENTS_REF, commit)
    return commit


def test_changes_requested_deleted_by_rewriting_the_events_ref(project: Project) -> None:
    approve(project)
    request_changes(project, message="this advice is dangerous")
    seen = git(project.path, "rev-parse", EVENTS_REF)  # CI records the tip it saw
    assert_blocked(project, "this advice is dangerous")
    _rewrite_without(project.path, "changes_requested")
    assert gate(project)[0] == 0  # the approval is revived when nothing remembers
    assert_blocked(project, "refs/reviewkit/events was rewritten", f"no longer contains {seen[:12]}",
                   args=("--expect-events-ancestor", seen))


def test_changes_requested_deleted_on_the_remote_is_refused_by_sync(
        project: Project, tmp_path: Path) -> None:
    approve(project)
    request_changes(project, message="this advice is dangerous")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    git(project.path, "remote", "add", "origin", str(remote))
    assert project.rk("sync").code == 0
    # the attacker rewrites the remote's history (a force-push the forge failed to block)
    clone = tmp_path / "attacker"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    git(clone, "fetch", "-q", "origin", f"{EVENTS_REF}:{EVENTS_REF}")
    _rewrite_without(clone, "changes_requested")
    git(clone, "push", "-q", "--force", "origin", EVENTS_REF)
    before = git(project.path, "rev-parse", EVENTS_REF)
    r = project.rk("sync")
    assert r.code == 1 and "was rewritten" in r.err and "refusing to merge it" in r.err
    assert git(project.path, "rev-parse", EVENTS_REF) == before
    assert_blocked(project, "this advice is dangerous")
    # a clone without a remote-tracking ref merges by union: the deletion does not take
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", str(remote), str(fresh))
    git(fresh, "fetch", "-q", "origin", f"{EVENTS_REF}:{EVENTS_REF}")
    git(fresh, "fetch", "-q", str(project.path), f"{EVENTS_REF}:refs/reviewkit/old")
    git(fresh, "update-ref", EVENTS_REF, "refs/reviewkit/old")
    git(fresh, "update-ref", "-d", "refs/reviewkit/old")
    assert rk("sync", cwd=fresh).code == 0
    names = git(remote, "ls-tree", "-r", "--name-only", EVENTS_REF)
    assert "-changes_requested-" in names


# --- paths: symlinks and '..' ----------------------------------------------------------------


def _outside_article(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    target = outside / "evil.md"
    target.write_text(article(slug="evil", id="01JDX3Q7G6M2N8P4R5S6T7V8WE",
                              title="Unreviewed"), encoding="utf-8")
    return target


def test_symlinked_article_pointing_outside_the_repo(project: Project, tmp_path: Path) -> None:
    approve(project)
    target = _outside_article(tmp_path)
    link = project.path / "content/articles/evil.md"
    os.symlink(target, link)
    project.repo.commit("a link to an article outside")
    assert_blocked(project, "content/articles/evil.md", "is a symbolic link (to a path outside "
                   "the repository)")
    r = project.rk("approve", str(link), "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code == 2 and "is a symbolic link" in r.err
    out = tmp_path / "bundle"
    assert project.rk("publish", "--out", str(out)).code == 1
    assert not out.exists()


def test_symlinked_article_inside_the_repo_is_refused_too(project: Project) -> None:
    approve(project)
    os.symlink("coping-with-worry.md", project.path / "content/articles/alias.md")
    project.repo.commit("alias")
    assert_blocked(project, "content/articles/alias.md", "is a symbolic link")


def test_symlinked_directory_under_a_content_root(project: Project, tmp_path: Path) -> None:
    approve(project)
    target = _outside_article(tmp_path)
    os.symlink(target.parent, project.path / "content/articles/more")
    project.repo.commit("a linked directory of articles")
    assert_blocked(project, "content/articles/more", "symbolic link")


def test_symlinked_content_root(project: Project, tmp_path: Path) -> None:
    approve(project)
    target = _outside_article(tmp_path)
    git(project.path, "rm", "-q", "-r", "content/articles")
    (project.path / "content").mkdir(exist_ok=True)
    os.symlink(target.parent, project.path / "content/articles")
    project.repo.commit("the content root is a link")
    assert_blocked(project, "content/articles", "is a symbolic link")


@pytest.mark.parametrize("command", ["approve", "request-changes", "submit", "review", "log",
                                     "validate", "status"])
def test_cli_path_with_dotdot_leaving_the_repo(project: Project, tmp_path: Path,
                                               command: str) -> None:
    _outside_article(tmp_path)
    sneaky = str(project.path / "content/articles/../../../outside/evil.md")
    args = [command, sneaky]
    if command in ("approve", "request-changes"):
        args += ["--key", str(project.reviewer.private), "--as", "dwhitfield", "-m", "x"]
    r = project.rk(*args)
    assert r.code == 2, r.output
    assert "outside the repository" in r.err
    assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""


def test_cli_path_with_dotdot_to_a_non_article_inside(project: Project) -> None:
    sneaky = str(project.path / "content/articles/../../reviewers.yaml")
    r = project.rk("approve", sneaky, "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code in (1, 2) and "reviewers.yaml" in r.err
    assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""


def test_cli_path_through_a_symlinked_directory(project: Project, tmp_path: Path) -> None:
    target = _outside_article(tmp_path)
    os.symlink(target.parent, project.path / "content/linked")
    project.repo.commit("link")
    r = project.rk("approve", str(project.path / "content/linked/evil.md"), "--key",
                   str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code in (1, 2)
    assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""


@pytest.mark.parametrize("setting", ["content: [../outside]", "content: [/etc]",
                                     "content: [content/../../outside]",
                                     "registry: ../reviewers.yaml",
                                     "schema: ../../schema.json"])
def test_config_paths_with_dotdot_or_absolute(project: Project, tmp_path: Path,
                                             setting: str) -> None:
    _outside_article(tmp_path)
    text = project.repo.read("reviewkit.yaml")
    key = setting.split(":")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key}:")]
    project.repo.write("reviewkit.yaml", "\n".join(lines) + f"\n{setting}\n")
    r = project.rk("gate")
    assert r.code == 2, r.output
    assert "must be a path inside the repository" in r.err


def test_event_path_field_is_never_read(project: Project, tmp_path: Path) -> None:
    """An event's `path` is a record of where the file was; nothing opens it."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER\n")
    rel = os.path.relpath(secret, project.path)
    assert rel.startswith("..")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, path=rel)
    assert gate(project)[0] == 0  # the approval is of the article id and digest
    outputs = [project.rk("review", str(project.path / A)), project.rk("log", str(project.path / A)),
               project.rk("status"), project.rk("status", "--format", "json")]
    out = tmp_path / "bundle"
    outputs.append(project.rk("publish", "--out", str(out)))
    for r in outputs:
        assert "TOP-SECRET-MARKER" not in r.output
    for f in out.rglob("*"):
        if f.is_file():
            assert "TOP-SECRET-MARKER" not in f.read_text()


def test_article_id_with_path_characters_cannot_escape_the_ledger(project: Project) -> None:
    """The ledger file name is built from the article id: an id like ../../x is refused."""
    for bad in ("../../../x", "a/b", "..", "x\ny"):
        text = article(id=json.dumps(bad))
        project.repo.write(A, text)
        project.repo.commit(f"id {bad!r}")
        r = project.rk("submit", str(project.path / A))
        assert r.code in (1, 2), r.output
        assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""
    assert_blocked(project)
    # the CLI refuses such an article before the ledger is reached (it does not validate);
    # the ledger refuses it on its own too, for any caller of the library
    from reviewkit.base.errors import CheckFailed
    from reviewkit.base.git import open_repo
    from reviewkit.base.model import ReviewEvent
    from reviewkit.record.ledger import append_event

    good = {"v": 1, "event": "commented", "article": A_ID, "path": A,
            "digest": "sha256:" + "0" * 64, "blob": "1" * 40, "commit": "2" * 40,
            "actor": "jlee", "at": "2026-11-20T10:00:00.000000Z", "nonce": "ab" * 8,
            "message": ""}
    for field, bad in (("article", "../../../x"), ("article", "a/b"), ("actor", "../x")):
        event = ReviewEvent.model_construct(**{**good, field: bad})  # skips the model's checks
        with pytest.raises(CheckFailed, match=f"{'article id' if field == 'article' else 'actor'}"):
            append_event(open_repo(project.path), event)
    assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""


# --- identity: two articles, one id --------------------------------------------------------


def test_two_articles_claiming_one_id(project: Project) -> None:
    approve(project)
    # a copy under another name claims the approved article's id (and so its approvals)
    project.repo.write("content/articles/copy.md",
                       article(slug="copy", id=A_ID, title="Unreviewed twin"))
    project.repo.commit("twin")
    doc = assert_blocked(project, "duplicate-id", f"id {A_ID} is also claimed by")
    assert {b["path"] for b in doc["blocked"]} >= {A, "content/articles/copy.md"}
    # even when the twin is a draft, the published article's identity is ambiguous
    project.repo.write("content/articles/copy.md",
                       article(slug="copy", id=A_ID, title="Unreviewed twin", draft="true"))
    project.repo.commit("twin draft")
    assert_blocked(project, "duplicate-id")


@pytest.mark.parametrize("name", ["../x.json", "a/../b.json", "/abs.json", "a//b.json",
                                  ".git/config", "a/./b.json", "x\n.json"])
def test_ledger_tree_never_takes_a_path_git_would_drop(project: Project, name: str) -> None:
    from reviewkit.base.git import GitCommandError, open_repo

    repo = open_repo(project.path)
    blob = repo.hash_object(b"{}")
    with pytest.raises(GitCommandError, match="refusing to write a tree entry"):
        repo.tree_with(None, {name: blob})


# --- the medication topic left off to get a non-prescriber's sign-off -------------------------

MEDICATION_BODY = BODY.replace(
    "Plain words about the topic.", "Some people take sertraline, often 50 mg once a day [@label].")


def test_medication_article_without_the_topic_cannot_be_signed_off_by_an_lpc(
    project: Project,
) -> None:
    """An editor leaves `medication` out of topics so an LPC (not a prescriber) could
    approve medicine advice: the article does not validate, so neither `submit` nor
    `approve` accepts it; tagged, the LPC's approval is refused by topic_credentials."""
    text = article(body=MEDICATION_BODY).replace(
        "citations: []", "citations: [{id: label, title: Label, url: 'https://example.org/l'}]")
    project.repo.write(A, text)
    project.repo.commit("medicine advice without the medication topic")
    r = project.rk("validate")
    assert r.code == 1 and "error[medication]" in r.out and "sertraline" in r.out
    r = project.rk("submit", str(project.path / A), "--as", "jlee")
    assert r.code == 1 and "medication" in r.output
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "medication" in r.output
    project.repo.write(A, text.replace("topics: [anxiety]", "topics: [anxiety, medication]"))
    project.repo.commit("tagged")
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "MD" in r.output
    approve(project, "mokafor")
    assert gate(project)[0] == 0
