"""Remove each defence once and check that the tests covering it fail; then restore.

Not collected by pytest (no ``test_`` prefix). Run from the repository root:

    .venv/bin/python tests/security/check_defences.py [NAME ...]

Each mutation edits the source in place, runs the tests that cover the threat, and
restores the file whatever happens. A mutation "is caught" when every listed test fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
T = "tests/security/"
ATT = T + "test_attacks.py::"

# name: ([(file, old, new), ...], [test selectors that must all fail])
MUTATIONS: dict[str, tuple[list[tuple[str, str, str]], list[str]]] = {
    "signature required": ([
        ("reviewkit/data/schemas/review-event.schema.json",
         '"then": {"required": ["sig"]}', '"then": {}'),
        ("reviewkit/policy.py", 'return False, "not signed", reviewer', 'return True, "", reviewer'),
    ], [ATT + "test_forged_approval_without_signature",
        ATT + "test_forged_approval_without_signature_evaluated_directly"]),
    "key bound to its reviewer": ([
        ("reviewkit/signing.py",
         "if k.principal == principal and blob == sig.key_blob]",
         "if k.principal == principal]"),
    ], [ATT + "test_signature_by_unknown_key",
        ATT + "test_reviewer_signature_claiming_another_actor"]),
    "signature covers every field": ([
        ("reviewkit/signing.py", "    if not good:\n        return Verification(",
         "    if False:\n        return Verification("),
    ], [ATT + "test_event_altered_after_signing[" + f + "]" for f in
        ["event", "article", "path", "digest", "blob", "commit", "actor", "at", "nonce",
         "message", "credential"]] + [T + "test_fuzz.py::test_fuzz_event_files_parse_and_decide"]),
    "event version pinned": ([
        ("reviewkit/data/schemas/review-event.schema.json", '"v": {"const": 1}', '"v": {}'),
        ("reviewkit/model.py", "    v: Literal[1]\n", "    v: int\n"),
        ("reviewkit/model.py", 'if isinstance(data.get("v"), bool):', "if False:"),
    ], [ATT + "test_event_altered_after_signing[v]"]),
    "file name matches content": ([
        ("reviewkit/ledger.py", "    if expected != name:", "    if False:"),
    ], [ATT + "test_approval_file_copied_to_another_article"]),
    "approval bound to its digest": ([
        ("reviewkit/policy.py",
         "current = [c for c in approvals if c.event and c.event.digest == digest]",
         "current = [c for c in approvals if c.event]"),
    ], [ATT + "test_approval_replayed_for_older_digest_after_revert_and_reedit"]),
    "revocation by changes_requested": ([
        ("reviewkit/policy.py", "                c.counts = False\n                c.reason = f\"revoked",
         "                pass\n                c.reason = f\"revoked"),
    ], [ATT + "test_revert_to_revoked_version_stays_blocked"]),
    "no self-approval": ([
        ("reviewkit/policy.py", "if (not policy.allow_self_approval and author_email",
         "if (False and author_email"),
    ], [ATT + "test_self_approval"]),
    "clinical role required": ([
        ("reviewkit/policy.py", '        if "clinical_reviewer" not in reviewer.roles:\n            c.reason',
         '        if False:\n            c.reason'),
    ], [ATT + "test_approval_by_editor_only_role",
        ATT + "test_approval_by_admin_without_clinical_role"]),
    "license valid on the approval date": ([
        ("reviewkit/policy.py", "valid = [c for c in held if c.valid_on(day)]", "valid = held"),
    ], [ATT + "test_expired_license"]),
    "key validity window": ([
        ("reviewkit/signing.py", "valid = [k for k in matching if _valid_at(k, t)]",
         "valid = matching"),
    ], [ATT + "test_key_used_outside_its_validity_window"]),
    "no future-dated events": ([
        ("reviewkit/policy.py", "            if e.when > now + skew:", "            if False:"),
    ], [ATT + "test_future_dated_approval",
        ATT + "test_future_dated_changes_cannot_be_outvoted_early"]),
    "trust root (--trust-ref)": ([
        ("reviewkit/project.py", "        if self.trust_ref:\n            return self.repo.show_file",
         "        if False:\n            return self.repo.show_file"),
    ], [ATT + "test_registry_edited_in_the_same_change",
        ATT + "test_registry_key_swapped_in_the_same_change",
        ATT + "test_policy_weakened_in_the_same_change",
        ATT + "test_self_approval_allowed_in_the_same_change",
        ATT + "test_content_root_moved_in_the_same_change",
        ATT + "test_schema_exemption_added_in_the_same_change"]),
    "--expect-events-ancestor": ([
        ("reviewkit/gate.py",
         "elif ledger.tip is None or not project.repo.is_ancestor(expected, ledger.tip):",
         "elif False:"),
    ], [ATT + "test_changes_requested_deleted_by_rewriting_the_events_ref"]),
    "sync never takes a rewritten history": ([
        ("reviewkit/ledger.py", 'f"{EVENTS_REF}:{tracking}"', 'f"+{EVENTS_REF}:{tracking}"'),
    ], [ATT + "test_changes_requested_deleted_on_the_remote_is_refused_by_sync",
        T + "test_sync_faults.py::test_rewritten_remote_history_is_refused_and_reported"]),
    "symlinks are findings": ([
        ("reviewkit/content.py", "        if stat.S_ISLNK(st.st_mode):", "        if False:"),
    ], [ATT + "test_symlinked_article_pointing_outside_the_repo",
        ATT + "test_symlinked_article_inside_the_repo_is_refused_too",
        ATT + "test_symlinked_content_root"]),
    "CLI paths stay inside the repository": ([
        ("reviewkit/workflow.py", "        rel = absolute.relative_to(project.root).as_posix()",
         "        rel = os.path.relpath(absolute, project.root)"),
        ("reviewkit/content.py", "                candidate.relative_to(root)\n",
         "                pass\n"),
    ], [ATT + "test_cli_path_with_dotdot_leaving_the_repo"]),
    "config paths stay inside the repository": ([
        ("reviewkit/model.py", 'if p.startswith("/") or ".." in parts:', "if False:"),
    ], [ATT + "test_config_paths_with_dotdot_or_absolute"]),
    "event path is never read": ([
        ("reviewkit/workflow.py",
         "        old = project.repo.read_blobs([last.event.blob])[last.event.blob]",
         "        old = (project.root / last.event.path).read_bytes()"),
    ], [ATT + "test_event_path_field_is_never_read"]),
    "article id checked before it names a ledger file": ([
        ("reviewkit/ledger.py", "        if not pattern.fullmatch(value):", "        if False:"),
    ], [ATT + "test_article_id_with_path_characters_cannot_escape_the_ledger"]),
    "tree paths git would drop": ([
        ("reviewkit/git.py", 'if any(p in ("", ".", "..")', 'if False and any(p in ("", ".", "..")'),
        ("reviewkit/git.py", 'c in path for c in "\\0\\n\\r\\\\"):', 'c in path for c in ""):'),
    ], [ATT + "test_ledger_tree_never_takes_a_path_git_would_drop"]),
    "one id, one article": ([
        ("reviewkit/content.py", "        if len(paths) > 1:", "        if False:"),
    ], [ATT + "test_two_articles_claiming_one_id"]),
    "compare-and-swap append": ([
        ("reviewkit/ledger.py",
         'if repo.update_ref(ref, commit, old, f"reviewkit: {event.event}"):',
         'if repo.update_ref(ref, commit, repo.rev_parse(ref), f"reviewkit: {event.event}"):'),
    ], [T + "test_crash.py::test_sixteen_concurrent_writers_lose_no_event"]),
    "atomic bundle swap": ([
        ("reviewkit/publish.py", "        _swap(tmp, out)\n",
         "        shutil.rmtree(out, ignore_errors=True)\n"
         "        for f in sorted(tmp.iterdir()):\n"
         "            out.mkdir(exist_ok=True)\n"
         "            shutil.copy(f, out / f.name)\n"
         "            __import__('time').sleep(0.05)\n"),
    ], [T + "test_crash.py::test_sigkill_during_publish"]),
    "sync retries when the remote moved": ([
        ("reviewkit/ledger.py", "                continue  # the remote moved",
         "                raise EnvError('moved')  # the remote moved"),
    ], [T + "test_sync_faults.py::test_remote_moved_during_push_is_retried"]),
    "declined push reported at once": ([
        ("reviewkit/ledger.py", '            if "declined" in text:', "            if False:"),
    ], [T + "test_sync_faults.py::test_remote_refuses_the_push"]),
    "the setup change publishes nothing": ([
        ("reviewkit/gate.py", "    if publishable:\n        paths =", "    if False:\n        paths ="),
    ], [T + "test_setup_and_trust.py::test_setup_change_cannot_publish_an_unreviewed_article"]),
    "validate reads rules and word lists from the trust ref": ([
        ("reviewkit/cli.py", "    project = _ctx().project(trust_ref, allow_setup=True)\n    notes = []",
         "    project = _ctx().project(None, allow_setup=True)\n    notes = []"),
    ], [T + "test_setup_and_trust.py::test_rule_switched_off_in_the_same_change_still_applies",
        T + "test_setup_and_trust.py::test_word_list_allowing_a_phrase_in_the_same_change_does_not_count"]),
    "trusted word lists": ([
        ("reviewkit/project.py", "            if self.trust_ref and config.word_lists:",
         "            if False:"),
    ], [T + "test_setup_and_trust.py::test_word_list_allowing_a_phrase_in_the_same_change_does_not_count"]),
    "a body's byline names an approver": ([
        ("reviewkit/policy.py", "        if wrong:\n", "        if False:\n"),
    ], [T + "test_setup_and_trust.py::test_byline_naming_someone_who_did_not_approve_is_blocked"]),
    "approve checks the trusted registry": ([
        ("reviewkit/workflow.py", "        if trusted is not None:\n            _check_trusted(",
         "        if False:\n            _check_trusted("),
    ], [T + "test_setup_and_trust.py::test_approve_refuses_a_sign_off_the_trusted_registry_would_not_count"]),
    "report text escaped for Markdown": ([
        ("reviewkit/summary.py",
         '    escaped = "".join("\\\\" + ch if ch in _MD_PUNCT else ch for ch in clean(text))',
         "    escaped = text"),
    ], [T + "test_ci_reports.py::test_titles_and_paths_cannot_break_the_table_or_inject_html",
        T + "test_ci_reports.py::test_md_helpers_keep_one_cell"]),
    "report code spans keep one cell": ([
        ("reviewkit/summary.py", '    body = clean(text).replace("|", "\\\\|")',
         "    body = clean(text)"),
    ], [T + "test_ci_reports.py::test_titles_and_paths_cannot_break_the_table_or_inject_html",
        T + "test_ci_reports.py::test_md_helpers_keep_one_cell"]),
    "--changed-since refuses options": ([
        ("reviewkit/git.py", 'if not rev or rev.startswith("-") or any(', "if not rev or any("),
    ], [T + "test_ci_reports.py::test_changed_since_refuses_bad_names[" + rev + "-not a revision name]"
        for rev in ("-oops", "--output=/tmp/x")]),
    "--changed-since refuses ambiguous names": ([
        ("reviewkit/git.py", "        if len(matches) > 1:", "        if False:"),
    ], [T + "test_ci_reports.py::test_changed_since_refuses_an_ambiguous_name"]),
}


def run(name: str) -> bool:
    edits, tests = MUTATIONS[name]
    saved: dict[Path, str] = {}
    try:
        for rel, old, new in edits:
            p = ROOT / rel
            text = saved.setdefault(p, p.read_text())
            current = p.read_text()
            if current.count(old) != 1:
                print(f"  !! {rel}: the defence's code was not found exactly once: {old!r}")
                return False
            p.write_text(current.replace(old, new))
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "--tb=no", "-rfEX",
                               "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
                              cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        for p, text in saved.items():
            p.write_text(text)
    out = proc.stdout
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
    summary = out.strip().splitlines()[-1] if out.strip() else proc.stderr[-300:]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    ok = passed == 0 and bool(failed)
    print(f"{'caught ' if ok else 'MISSED '} {name}: {summary}")
    if not ok:
        print(out[-2000:])
    return ok


def main(names: list[str]) -> int:
    names = names or list(MUTATIONS)
    results = {n: run(n) for n in names}
    print(f"\n{sum(results.values())} of {len(results)} defences: removing it makes its tests fail")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
