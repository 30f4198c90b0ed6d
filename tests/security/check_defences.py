"""Remove each defence once and check that the tests covering it fail; then restore.

Not collected by pytest (no ``test_`` prefix). Run from the repository root:

    .venv/bin/python tests/security/check_defences.py [NAME ...]

Each mutation edits the source in place, runs the tests that cover the threat, and
restores the file whatever happens. A mutation "is caught" when every listed test fails.

    .venv/bin/python tests/security/check_defences.py --resolve

only checks that every entry still points somewhere: each defence's code is found exactly
once in its file, and each listed test function exists (tests/security/test_defences_resolve.py
runs this in the suite, so moving code cannot silently disarm an entry).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
T = "tests/security/"
ATT = T + "test_attacks.py::"
CON = T + "test_content_attacks.py::"
HIST = T + "test_history.py::"
REFS = T + "test_refs.py::"
HOST = T + "test_hostile_ledger.py::"
PUB = T + "test_publish_attacks.py::"
POL = "tests/test_policy.py::test_decision["  # the decision on values (stub verifier)
TRA = T + "test_translation_attacks.py::"

# name: ([(file, old, new), ...], [test selectors that must all fail])
# the front-matter loader refuses an anchor on each event that can carry one
_ANCHOR_CHECKS = [
        ("reviewkit/article/frontmatter.py",
         "            if e.anchor is not None:\n                raise self._anchor(e)\n"
         "            self.count += 1", "            self.count += 1"),
        ("reviewkit/article/frontmatter.py",
         "            if e.anchor is not None:\n                raise self._anchor(e)\n"
         "            self.open(", "            self.open("),
]

MUTATIONS: dict[str, tuple[list[tuple[str, str, str]], list[str]]] = {
    "approval needs a reader of the article's language": ([
        ("reviewkit/review/policy.py", "    problem = language_problem(",
         "    problem = None and language_problem("),
    ], [TRA + "test_approval_by_a_non_reader_forged_onto_the_ledger_does_not_count",
        TRA + "test_a_reader_added_in_the_change_under_test_does_not_count",
        POL + "translation-refused-to-a-non-reader]"]),
    "a translation's clinical approvals count only with its language review": ([
        ("reviewkit/review/translation_policy.py", "        if paired(fresh, fresh_l):", "        if True:"),
    ], [POL + "lr-clinical-only]", POL + "lr-both-but-different-digests]",
        TRA + "test_a_clinical_approval_alone_is_not_served_when_a_language_review_is_required",
        TRA + "test_a_linguist_role_added_in_the_change_under_test_does_not_count"]),
    "a language review is never a clinical sign-off": ([
        ("reviewkit/review/policy.py",
         "    c.credential, c.counts, c.language_review = cred, cred is not None, language",
         "    c.credential, c.counts, c.language_review = cred, cred is not None or language, "
         "language"),
    ], [POL + "lr-linguistic-only]",
        TRA + "test_a_linguist_approval_never_passes_a_clinically_unreviewed_translation[True]"]),
    "the clinical and the language review by two different people": ([
        ("reviewkit/review/translation_policy.py", "(set() if same_ok else {who})", "set()"),
    ], [POL + "lr-same-person-for-both]",
        POL + "lr-two-clinicians-required-dual-cannot-be-third]"]),
    "a language review needs the linguist role": ([
        ("reviewkit/review/translation_policy.py", "    if LINGUIST not in reviewer.roles:", "    if False:"),
    ], [POL + "lr-two-clinicians-are-no-language-review]"]),
    "a language review needs a reader of the translation's language": ([
        ("reviewkit/review/translation_policy.py", "    reason = language_problem(",
         "    reason = None and language_problem("),
    ], [POL + "lr-linguist-not-reading-the-lang]"]),
    "no language review by the translation's author": ([
        ("reviewkit/review/translation_policy.py",
         "    if summary.author_email and same_person(emails, [summary.author_email]):",
         "    if False:"),
    ], [POL + "lr-linguist-is-the-author]"]),
    "a linguist's request for changes revokes": ([
        ("reviewkit/review/policy.py", "                                       or c.language_review)",
         "                                       )"),
    ], [POL + "lr-linguist-requests-changes]"]),
    "only an approved translation is kept live when its source changes": ([
        ("reviewkit/review/translation_policy.py", "    status.live = (was_approved and ",
         "    status.live = (True and "),
    ], [TRA + "test_an_unapproved_translation_does_not_pass_because_its_source_changed",
        POL + "stale-translation-source-changed]"]),
    "translation served only from an approved source version": ([
        ("reviewkit/review/translation_policy.py",
         "                   and source is not None and made_from in source.approved)",
         "                   and source is not None)"),
    ], [TRA + "test_a_forged_source_digest_is_never_served",
        TRA + "test_a_translation_of_an_unapproved_source_is_never_served",
        POL + "source-digest-never-approved]"]),
    "an unjudged source fails closed": ([
        ("reviewkit/review/translation_policy.py", "    if source is not None and source.last_digest is not None",
         "    if source is None or source.last_digest is not None"),
    ], [POL + "source-not-judged-fails-closed]"]),
    "no translation of a translation (cycles)": ([
        ("reviewkit/article/translation.py", "        if source.summary.translation_of is not None:",
         "        if False:"),
    ], [TRA + "test_translation_of_itself_or_in_a_cycle_is_invalid"]),
    "language tags compared case-insensitively": ([
        ("reviewkit/article/translation.py", "    return tag.strip().lower()", "    return tag.strip()"),
    ], [TRA + "test_lookalike_and_case_variant_language_tags"]),
    "source paths from events confined to content roots": ([
        ("reviewkit/review/translate.py", 'posixpath.normpath(rel) != rel:', 'False:'),
    ], [TRA + "test_source_paths_from_the_ledger_are_confined_to_the_content_roots"]),
    # three layers: the event schema, the event model and the policy; all three go
    "signature required": ([
        ("reviewkit/data/schemas/review-event.schema.json",
         '"then": {"required": ["sig"]}', '"then": {}'),
        ("reviewkit/base/model.py",
         "if self.event in DECIDING_KINDS and self.sig is None and not unsigned_ok:",
         "if False:"),
        ("reviewkit/review/policy.py", 'return False, "not signed", reviewer', 'return True, "", reviewer'),
    ], [ATT + "test_forged_approval_without_signature",
        ATT + "test_forged_approval_without_signature_evaluated_directly"]),
    "key bound to its reviewer": ([
        ("reviewkit/record/signing.py",
         "if k.principal == principal and blob == sig.key_blob]",
         "if k.principal == principal]"),
    ], [ATT + "test_signature_by_unknown_key",
        ATT + "test_reviewer_signature_claiming_another_actor"]),
    "signature covers every field": ([
        ("reviewkit/record/signing.py", "    if not good:\n        return Verification(",
         "    if False:\n        return Verification("),
    ], [ATT + "test_event_altered_after_signing[" + f + "]" for f in
        ["event", "article", "path", "digest", "blob", "commit", "actor", "at", "nonce",
         "message", "credential"]]),  # the event fuzz test finds it only when an example
    # changes a signed field and keeps the event valid: too rare to list as this defence's
    "event version pinned": ([
        ("reviewkit/data/schemas/review-event.schema.json", '"v": {"const": 1}', '"v": {}'),
        ("reviewkit/base/model.py", "    v: Literal[1]\n", "    v: int\n"),
        ("reviewkit/base/model.py", 'if isinstance(data.get("v"), bool):', "if False:"),
    ], [ATT + "test_event_altered_after_signing[v]"]),
    "file name matches content": ([
        ("reviewkit/record/ledger.py", "    if name not in names:", "    if False:"),
    ], [ATT + "test_approval_file_copied_to_another_article[sharded]",
        ATT + "test_approval_file_copied_to_another_article[first]",
        "tests/test_ledger.py::test_an_event_file_anywhere_but_its_two_names_does_not_count"]),
    "approval bound to its digest": ([
        ("reviewkit/review/policy.py",
         "current = [c for c in approvals if c.event and c.event.digest == digest]",
         "current = [c for c in approvals if c.event]"),
    ], [ATT + "test_approval_replayed_for_older_digest_after_revert_and_reedit",
        POL + "stale]"]),
    "revocation by changes_requested": ([
        ("reviewkit/review/policy.py",
         "                c.counts = c.language_review = False\n                c.reason = f\"revoked",
         "                pass\n                c.reason = f\"revoked"),
    ], [ATT + "test_revert_to_revoked_version_stays_blocked", POL + "approve-then-request]"]),
    "medication topic required": ([
        ("reviewkit/rules/medication.py",
         "want_topic = self.options.require_topic and", "want_topic = False and"),
    ], [ATT + "test_medication_article_without_the_topic_cannot_be_signed_off_by_an_lpc",
        "tests/test_rules_safety.py::test_medication_guard_blocks_sign_off_without_the_topic"]),
    "no self-approval": ([
        ("reviewkit/review/policy.py", "if (not policy.allow_self_approval and author_email",
         "if (False and author_email"),
    ], [ATT + "test_self_approval", POL + "self-approval]"]),
    "clinical role required": ([
        ("reviewkit/review/policy.py", '    if "clinical_reviewer" not in reviewer.roles:\n        return (',
         '    if False:\n        return ('),
    ], [ATT + "test_approval_by_editor_only_role",
        ATT + "test_approval_by_admin_without_clinical_role", POL + "editor-approval]"]),
    "license valid on the approval date": ([
        ("reviewkit/review/policy.py", "valid = [c for c in held if c.valid_on(day)]", "valid = held"),
    ], [ATT + "test_expired_license", POL + "expired-credential]"]),
    "key validity window": ([
        ("reviewkit/record/signing.py", "valid = [k for k in matching if _valid_at(k, t)]",
         "valid = matching"),
    ], [ATT + "test_key_used_outside_its_validity_window"]),
    "no future-dated events": ([
        ("reviewkit/review/policy.py", "        if e.when > now + skew:", "        if False:"),
    ], [ATT + "test_future_dated_approval",
        ATT + "test_future_dated_changes_cannot_be_outvoted_early", POL + "future-dated]",
        POL + "future-dated-request-cannot-be-outvoted]"]),
    "trust root (--trust-ref)": ([
        ("reviewkit/record/project.py", "        if self.trust_ref:\n            return self.repo.show_file",
         "        if False:\n            return self.repo.show_file"),
    ], [ATT + "test_registry_edited_in_the_same_change",
        ATT + "test_registry_key_swapped_in_the_same_change",
        ATT + "test_policy_weakened_in_the_same_change",
        ATT + "test_self_approval_allowed_in_the_same_change",
        ATT + "test_content_root_moved_in_the_same_change",
        ATT + "test_schema_exemption_added_in_the_same_change"]),
    "--expect-events-ancestor": ([
        ("reviewkit/outputs/gate.py",
         "elif ledger.tip is None or not project.repo.is_ancestor(expected, ledger.tip):",
         "elif False:"),
    ], [ATT + "test_changes_requested_deleted_by_rewriting_the_events_ref"]),
    "sync never takes a rewritten history": ([
        ("reviewkit/record/ledger.py", "    if seen and not repo.is_ancestor(seen, fetched):",
         "    if False:"),
    ], [ATT + "test_changes_requested_deleted_on_the_remote_is_refused_by_sync",
        T + "test_sync_faults.py::test_rewritten_remote_history_is_refused_and_reported"]),
    "symlinks are findings": ([
        ("reviewkit/article/content.py", "        if stat.S_ISLNK(st.st_mode):", "        if False:"),
    ], [ATT + "test_symlinked_article_pointing_outside_the_repo",
        ATT + "test_symlinked_article_inside_the_repo_is_refused_too",
        ATT + "test_symlinked_content_root"]),
    "CLI paths stay inside the repository": ([
        ("reviewkit/review/workflow.py", "        rel = absolute.relative_to(project.root).as_posix()",
         "        rel = os.path.relpath(absolute, project.root)"),
        ("reviewkit/article/content.py", "                candidate.relative_to(root)\n",
         "                pass\n"),
    ], [ATT + "test_cli_path_with_dotdot_leaving_the_repo"]),
    "config paths stay inside the repository": ([
        ("reviewkit/base/model.py", 'if p.startswith("/") or ".." in parts:', "if False:"),
    ], [ATT + "test_config_paths_with_dotdot_or_absolute"]),
    "event path is never read": ([
        ("reviewkit/review/diffs.py",
         "        found = project.repo.read_blobs([base.blob], max_size=MAX_FILE_BYTES)",
         "        found = {base.blob: (project.root / base.path).read_bytes()}"),
    ], [ATT + "test_event_path_field_is_never_read"]),
    "article id checked before it names a ledger file": ([
        ("reviewkit/record/ledger.py", "        if not pattern.fullmatch(value):", "        if False:"),
    ], [ATT + "test_article_id_with_path_characters_cannot_escape_the_ledger"]),
    "tree paths git would drop": ([
        ("reviewkit/base/git/objects.py", 'if any(p in ("", ".", "..")', 'if False and any(p in ("", ".", "..")'),
        ("reviewkit/base/git/objects.py", 'c in path for c in "\\0\\n\\r\\\\"):', 'c in path for c in ""):'),
    ], [ATT + "test_ledger_tree_never_takes_a_path_git_would_drop"]),
    "one id, one article": ([
        ("reviewkit/article/content.py", "        if len(paths) > 1:", "        if False:"),
    ], [ATT + "test_two_articles_claiming_one_id"]),
    "compare-and-swap append": ([
        ("reviewkit/record/ledger.py",
         'outcome = repo.update_ref(ref, commit, old, f"reviewkit: {event.event}")',
         'outcome = repo.update_ref(ref, commit, repo.rev_parse(ref), f"reviewkit: {event.event}")'),
    ], [T + "test_crash.py::test_sixteen_concurrent_writers_lose_no_event"]),
    "atomic bundle swap": ([
        ("reviewkit/base/fsutil.py", "        swap_directory(tmp, out)\n",
         "        shutil.rmtree(out, ignore_errors=True)\n"
         "        for f in sorted(tmp.iterdir()):\n"
         "            out.mkdir(exist_ok=True)\n"
         "            shutil.copy(f, out / f.name)\n"
         "            __import__('time').sleep(0.05)\n"),
    ], [T + "test_crash.py::test_sigkill_during_publish"]),
    "sync retries when the remote moved": ([
        ("reviewkit/record/ledger.py", "            continue  # the remote moved",
         "            raise EnvError('moved')  # the remote moved"),
    ], [T + "test_sync_faults.py::test_remote_moved_during_push_is_retried"]),
    "declined push reported at once": ([
        ("reviewkit/base/git/refs.py", '        if "declined" in low:', "        if False:"),
    ], [T + "test_sync_faults.py::test_remote_refuses_the_push"]),
    # --- issue 11 ----------------------------------------------------------------------------
    "events history append-only (gate, status)": ([
        ("reviewkit/record/ledger.py", "    edits = repo.history_edits(tip, exclude)", "    edits = []"),
    ], [HIST + "test_fast_forward_that_deletes_a_changes_requested_is_refused",
        HIST + "test_later_commits_do_not_hide_an_earlier_deletion",
        HIST + "test_deletion_through_the_second_parent_of_a_merge_is_refused",
        HIST + "test_event_file_changed_in_place_is_refused",
        HIST + "test_forged_memory_of_a_verified_tip_does_not_pass"]),
    "append-only on every parent of a merge": ([
        ("reviewkit/base/git/history.py", '"--diff-merges=separate",', '"--diff-merges=first-parent",'),
    ], [HIST + "test_deletion_through_the_second_parent_of_a_merge_is_refused"]),
    "remembered verified tip authenticated": ([
        ("reviewkit/record/remembered.py",
         "if (isinstance(tip, str) and isinstance(claimed, str) and hmac.compare_digest(",
         "if isinstance(tip, str) or hmac.compare_digest("),
    ], [HIST + "test_forged_memory_of_a_verified_tip_does_not_pass"]),
    "remembered checked schema authenticated": ([
        ("reviewkit/record/remembered.py",
         '               and hmac.compare_digest(i["mac"], want) for i in _checked_schemas(path))',
         "               or True for i in _checked_schemas(path))"),
    ], [T + "test_schema_record.py::test_forged_schema_record_does_not_skip_the_check",
        T + "test_schema_record.py::test_foreign_schema_record_does_not_skip_the_check"]),
    "remembered lint findings authenticated": ([
        ("reviewkit/record/remembered.py",
         "                and hmac.compare_digest(claimed, _linted_mac(key, path, lint, found))):",
         "                and True):"),
    ], [T + "test_lint_record.py::test_forged_findings_do_not_let_an_error_through",
        T + "test_lint_record.py::test_foreign_record_does_not_let_an_error_through"]),
    "remembered lint findings follow the publication's word lists": ([
        ("reviewkit/review/submissions.py",
         "                            *[part for pair in lists for part in pair])",
         "                            )"),
    ], [T + "test_lint_record.py::test_a_clean_record_does_not_cover_a_changed_word_list"]),
    "an event's patterns end at the text's end": ([
        ("reviewkit/base/structs.py", "self._rx = re.compile(end_anchored(self.pattern))",
         "self._rx = re.compile(self.pattern)"),
    ], ["tests/test_structs.py::test_no_pattern_field_of_an_event_accepts_a_trailing_newline"]),
    "sync checks the fetched history before any ref moves": ([
        ("reviewkit/record/ledger.py", "    edits = history_edits(repo, fetched, remember=False)",
         "    edits = []"),
    ], [HIST + "test_sync_never_moves_a_local_ref_to_a_history_that_lost_an_event"]),
    "server hook refuses a deleting fast-forward": ([
        ("reviewkit/data/hooks/pre-receive", "--diff-filter=DMT", "--diff-filter=X"),
    ], [HIST + "test_server_hook_refuses_a_deleting_fast_forward_and_accepts_an_append",
        HIST + "test_server_hook_checks_the_history_of_a_new_ref"]),
    "ambiguous ref refused": ([
        ("reviewkit/base/git/refs.py", "        if len(found) > 1:", "        if False:"),
    ], [REFS + "test_trust_ref_shadowed_by_a_tag_or_branch_is_refused[refs/tags/origin/main]",
        REFS + "test_trust_ref_shadowed_by_a_tag_or_branch_is_refused[refs/heads/origin/main]",
        REFS + "test_expect_events_ancestor_ambiguous_is_refused"]),
    "no ref begins with '-'": ([
        ("reviewkit/base/git/refs.py", '    if not value or value.startswith("-"):', "    if not value:"),
    ], [REFS + f"test_option_injection_through_a_ref_is_refused[argv{i}]" for i in range(4)]),
    "event times in range": ([
        ("reviewkit/base/model.py", '        check_time_range(parse_time(v), "at")',
         "        parse_time(v)"),
    ], [HOST + "test_event_dated_out_of_range_is_a_clean_ledger_problem[" + at + "]" for at in
        ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
         "1969-12-31T23:59:59Z")]),
    "event blob sizes before reads": ([
        ("reviewkit/record/ledger.py", "max_size=MAX_EVENT_BYTES)", "max_size=None)"),
    ], [HOST + "test_huge_compressible_event_blob_is_never_read"]),
    "cache authenticated (HMAC, key outside the repository)": ([
        ("reviewkit/record/cache.py",
         "        if not hmac.compare_digest(claimed, h.hexdigest().encode() + b\"\\n\"):",
         "        if False:"),
    ], [HOST + "test_forged_cache_claiming_approval_for_changed_content",
        HOST + "test_forged_lint_cache_does_not_hide_errors"]),
    "a cache key others can read authenticates nothing": ([
        ("reviewkit/record/cache.py",
         "        if _unsafe(os.fstat(fh.fileno())):", "        if False:"),
    ], [T + "test_hostile_ledger.py::test_a_cache_key_others_can_read_is_not_used"]),
    "stale ref lock told from contention": ([
        ("reviewkit/record/ledger.py", "    if outcome is RefUpdate.LOCKED:", "    if False:"),
    ], [HOST + "test_stale_events_lock_is_reported_not_retried"]),
    "the setup change publishes nothing": ([
        ("reviewkit/outputs/gate.py", "    if publishable:\n        paths =", "    if False:\n        paths ="),
    ], [T + "test_setup_and_trust.py::test_setup_change_cannot_publish_an_unreviewed_article"]),
    "validate reads rules and word lists from the trust ref": ([
        ("reviewkit/cli/editor.py",
         "        project = _ctx().project(trust_ref, allow_setup=True)\n    except ConfigError",
         "        project = _ctx().project(None, allow_setup=True)\n    except ConfigError"),
    ], [T + "test_setup_and_trust.py::test_rule_switched_off_in_the_same_change_still_applies",
        T + "test_setup_and_trust.py::test_word_list_allowing_a_phrase_in_the_same_change_does_not_count"]),
    "trusted word lists": ([
        ("reviewkit/record/project.py", "            if self.trust_ref and lists:",
         "            if False:"),
    ], [T + "test_setup_and_trust.py::test_word_list_allowing_a_phrase_in_the_same_change_does_not_count"]),
    "a body's byline names an approver": ([
        ("reviewkit/review/policy.py", "        if wrong:\n", "        if False:\n"),
    ], [T + "test_setup_and_trust.py::test_byline_naming_someone_who_did_not_approve_is_blocked",
        POL + "byline-names-someone-else]"]),
    "one key is one person's in the registry": ([
        ("reviewkit/record/config.py", "    if shared:\n        raise ConfigError", "    if False:\n        raise ConfigError"),
    ], [T + "test_registry_mistakes.py::test_one_key_registered_for_two_reviewers_is_refused"]),
    "approve checks the trusted registry": ([
        ("reviewkit/review/workflow.py", "        if trusted is not None:\n            _check_trusted(",
         "        if False:\n            _check_trusted("),
    ], [T + "test_setup_and_trust.py::test_approve_refuses_a_sign_off_the_trusted_registry_would_not_count"]),
    "report text escaped for Markdown": ([
        ("reviewkit/outputs/summary.py",
         '    escaped = "".join("\\\\" + ch if ch in _MD_PUNCT else ch for ch in clean(text))',
         "    escaped = text"),
    ], [T + "test_ci_reports.py::test_titles_and_paths_cannot_break_the_table_or_inject_html",
        T + "test_ci_reports.py::test_md_helpers_keep_one_cell"]),
    "report code spans keep one cell": ([
        ("reviewkit/outputs/summary.py", '    body = clean(text).replace("|", "\\\\|")',
         "    body = clean(text)"),
    ], [T + "test_ci_reports.py::test_titles_and_paths_cannot_break_the_table_or_inject_html",
        T + "test_ci_reports.py::test_md_helpers_keep_one_cell"]),
    "--changed-since refuses options": ([
        ("reviewkit/base/git/history.py", 'if not rev or rev.startswith("-") or any(', "if not rev or any("),
    ], [T + "test_ci_reports.py::test_changed_since_refuses_bad_names[" + rev + "-not a revision name]"
        for rev in ("-oops", "--output=/tmp/x")]),
    "--changed-since refuses ambiguous names": ([
        ("reviewkit/base/git/history.py", "        if len(matches) > 1:", "        if False:"),
    ], [T + "test_ci_reports.py::test_changed_since_refuses_an_ambiguous_name"]),
    # --- content (issue 11: items 3, 4, 5, 8, 9, 13) ---
    "front matter is one YAML document": ([
        ("reviewkit/article/frontmatter.py", "        if _DOC_MARKER.match(line):", "        if False:"),
        ("reviewkit/article/frontmatter.py", 'if self.documents > 1 or getattr(e, "explicit", False):',
         "if False:"),
    ], [CON + f"test_second_yaml_document_in_front_matter[{m}]" for m in
        ["dashes-comment", "dashes-tab", "dashes-tag", "dots-comment", "dashes-folded"]]
       + [CON + "test_every_splitter_refuses_a_second_document"]),
    "line breaks and controls refused in front matter": ([
        ("reviewkit/article/frontmatter.py", "            for ln, col, ch in printable.find(yaml_text):",
         "            for ln, col, ch in []:"),
    ], [CON + f"test_line_separator_in_front_matter_is_refused_at_its_position[U+{c:04X}]"
        for c in (0x85, 0x2028, 0x2029, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x0D)]),
    "loaders agree (no tags, anchors, tabs, lax block headers)": ([
        ("reviewkit/article/frontmatter.py", "        if e.tag is not None:\n            # any tag",
         "        if False:\n            # any tag"),
        *_ANCHOR_CHECKS,
        ("reviewkit/article/frontmatter.py", "            if tab >= 0:", "            if False:"),
        ("reviewkit/article/frontmatter.py", "                self.block_header(e)\n", "                pass\n"),
    ], [CON + "test_fast_and_roundtrip_loaders_agree_on_every_accepted_input"]),
    "control characters in values and body are findings": ([
        ("reviewkit/article/content.py", '    if "\\\\" in parts.yaml_text:  # split() refused',
         "    if False:  # split() refused"),
        ("reviewkit/article/content.py",
         "    result.findings += body_control_findings(rel, parts.body, parts.body_line)\n", ""),
    ], [CON + f"test_yaml_escapes_cannot_smuggle_control_characters[{e}]"
        for e in ["L", "P", "N", "e", "x9b", "u202e"]]
       + [CON + "test_body_control_characters_are_validation_errors"]),
    "printed text is printable": ([
        ("reviewkit/base/printable.py", "    if pattern.search(text) is None:\n        return text\n",
         "    return text\n"),
    ], [CON + f"test_no_command_prints_a_control_character[{c}]" for c in
        ["status", "status-format-github", "queue", "log-A", "review-A", "review-color-A",
         "review-no-color-A", "gate", "gate-format-github", "due-within-400d",
         "due-within-400d-format-csv", "audit"]]
       + [CON + "test_review_shows_concealed_text_as_escapes",
          CON + "test_log_message_cannot_fake_a_line",
          CON + "test_error_messages_quoting_user_input_are_printable",
          CON + "test_file_name_with_escape_is_printable_in_every_format",
          CON + "test_github_annotations_cannot_inject_workflow_commands",
          CON + "test_printable_is_total_idempotent_and_clean"]),
    "JSON output escapes what JSON leaves raw": ([
        ("reviewkit/outputs/output.py", "    return UNSAFE.sub(_u_escape, text)", "    return text"),
    ], [CON + f"test_no_command_prints_a_control_character[{c}]" for c in
        ["log-format-json-A", "audit-format-json"]]),
    "identities, not strings": ([
        ("reviewkit/base/identity.py",
         "    return any(canonical_email(o) in mine for o in others if o)",
         "    return any(o.strip().lower() in {e.strip().lower() for e in emails} for o in others)"),
    ], [CON + f"test_self_approval_through_an_equivalent_address[{a}]" for a in
        ["plus-tag", "dot-and-spaces", "fullwidth"]]
       + [CON + "test_self_approval_through_another_registered_or_git_address",
          CON + "test_identity_normal_forms"]),
    "look-alike addresses refused": ([
        ("reviewkit/base/identity.py", "    parts = _split(address)\n    if parts is None:\n        return f",
         "    return None\n    parts = _split(address)\n    if parts is None:\n        return f"),
    ], [CON + f"test_look_alike_author_address_is_refused[{a}]" for a in
        ["cyrillic-domain", "punycode-domain", "cyrillic-local-part", "two-ats"]]
       + [CON + "test_look_alike_registry_address_is_refused"]),
    "approver's git identity counts": ([
        ("reviewkit/review/workflow.py", "            mine.append(git_email)", "            pass"),
    ], [CON + "test_git_identity_of_the_approver_counts"]),
    "word-list matches stay inside one paragraph": ([
        ("reviewkit/rules/_regex.py",
         "        if parsed.getwidth()[0] == 0:\n            return False\n        return _joinable(parsed)",
         "        return True"),
    ], [CON + "test_a_match_cannot_reach_from_one_paragraph_into_the_next",
        "tests/test_rules_equivalence.py::test_user_patterns_match_the_same_at_once_or_one_by_one"]),
    "a byline's quick test has the byline regex's case rules": ([
        ("reviewkit/article/byline.py", "        if quick and _MENTION.search(text) is None:",
         '        if quick and "reviewed" not in text.lower():'),
    ], [CON + "test_a_byline_spelt_with_a_turkish_i_is_still_checked[dotless-i]",
        CON + "test_a_byline_spelt_with_a_turkish_i_is_still_checked[dotted-I]"]),
    "heading sections in one pass": ([
        ("reviewkit/rules/_doc.py", "        return self._section_table()[heading.index][0]",
         "        return next((h.index for h in self.headings if h.index > heading.index\n"
         "                     and h.level <= heading.level), len(self.tokens))"),
        ("reviewkit/rules/count_matches_list.py", "            subs = doc.subheading_count(h)",
         "            subs = sum(1 for s in doc.headings if h.index < s.index < end\n"
         "                       and s.level == h.level + 1)"),
    ], [CON + "test_heading_rules_visit_each_heading_a_bounded_number_of_times[500]",
        CON + "test_heading_rules_visit_each_heading_a_bounded_number_of_times[1000]"]),
    "every file under a content root is an article or a finding": ([
        ("reviewkit/article/content.py", '            if name.startswith(".") and p not in explicit:',
         "            if False:"),
        ("reviewkit/article/content.py", '            findings.append(Finding(rel, 0, 0, "error", "content-file",\n'
         '                                    f"{why}',
         '            return\n            findings.append(Finding(rel, 0, 0, "error", "content-file",\n'
         '                                    f"{why}'),
    ], [CON + f"test_no_file_under_a_content_root_is_skipped[{n}]" for n in
        ["content/articles/other.MD", "content/articles/other.markdown", "content/articles/x.mdx",
         "content/articles/.hidden.md", "content/articles/.drafts/other.md",
         "content/articles/notes.txt", "content/articles/sub/README"]]),
    "one slug, one page": ([
        ("reviewkit/article/content.py", "        for p in claimants if len(claimants) >= 2 else ():",
         "        for p in ():"),
    ], [PUB + "test_duplicate_slug_across_content_roots_is_refused",
        PUB + "test_effective_slug_is_the_file_name_when_slug_is_absent"]),
    "YAML anchors refused": ([
        *_ANCHOR_CHECKS,
    ], [PUB + "test_yaml_anchor_in_front_matter_is_refused"]),
    "bundle front matter written from the approved values": ([
        ("reviewkit/outputs/publish_page.py", "        text = json.dumps(value, ensure_ascii=False)\n",
         "        text = value\n"),
    ], [PUB + "test_md_bundle_front_matter_is_written_from_the_approved_values"]),
    "exempt fields never published": ([
        ("reviewkit/outputs/publish_page.py",
         "    return {k: v for k, v in front_matter.items() if k not in exempt}",
         "    return dict(front_matter)"),
    ], [PUB + "test_exempt_fields_are_not_published"]),
    "publish serves the approved version, not the current one": ([
        ("reviewkit/outputs/publish_plan.py", "    task.version = finder.find(status, approved)",
         "    task.version = finder.current(status.path)"),
    ], ["tests/test_publish_versions.py::test_edit_after_approval_serves_the_approved_version"]),
    "assets are in the digest": ([
        ("reviewkit/article/content.py",
         "    digest = content_digest(fm, parts.body, article_schema.exempt, hashes)",
         "    digest = content_digest(fm, parts.body, article_schema.exempt)"),
    ], ["tests/test_publish_versions.py::"
        "test_replaced_image_makes_the_approval_stale_and_publish_serves_approved_bytes"]),
    "assets stay inside the repository": ([
        ("reviewkit/article/assets.py",
         '    if joined == ".." or joined.startswith("../") or joined in (".", ""):',
         "    if False:"),
    ], [CON + f"test_an_asset_path_cannot_climb_out_of_the_repository[{raw}]"
        for raw in ["../secret.png", "img/../../secret.png", "..", "./../x.pdf"]]),
    "cached articles re-hash their assets": ([
        ("reviewkit/record/catalogue.py",
         "    if hit is not None and _assets_unchanged(hit, hasher):",
         "    if hit is not None:"),
    ], ["tests/test_publish_versions.py::test_cache_rereads_an_article_whose_asset_changed"]),
    "an output directory that is a symlink is refused": ([
        ("reviewkit/base/fsutil.py", "    if out.is_symlink():\n", "    if False:\n"),
    ], [f"tests/test_render.py::test_output_directory_that_is_a_symlink_is_refused[{c}]"
        for c in ("publish", "report")]),
    # the renderers also make article and event text one-line printable: this is the CLI's
    # own layer, for every span whatever made it
    "every printed span is printable": ([
        ("reviewkit/cli/_terminal.py", "else printable(t)\n", "else t\n"),
    ], ["tests/test_render.py::test_colour_comes_from_the_kind_and_text_stays_printable"]),
    "verify checks every file's hash": ([
        ("reviewkit/outputs/verify.py", "        if _sha256(content) != digest:", "        if False:"),
    ], ["tests/test_verify.py::test_one_changed_byte_fails_naming_the_file[img/chart.png]"]),
    "init's workflow runs an action pinned by the repository's commit": ([
        ("reviewkit/data/scaffold/workflow.yml", "        uses: ./.github/actions/reviewkit\n",
         "        uses: OWNER/REPO@v0.1.0\n"),
    ], ["tests/test_action.py::test_init_workflow_runs_the_local_action_and_comments_in_its_own_job",
        "tests/test_action.py::"
        "test_the_workflow_init_writes_goes_green_on_the_setup_pull_request_and_on_main"]),
    "a page's front matter gives the approved digest (the gate's, handed over, too)": ([
        ("reviewkit/outputs/publish_plan.py",
         "content_digest(fm, parts.body, project.schema.exempt) == status.digest):",
         "content_digest(fm, parts.body, project.schema.exempt) == status.digest or True):"),
    ], ["tests/test_publish_stream.py::"
        "test_a_front_matter_that_does_not_give_the_approved_digest_is_not_served"]),
    "invalid content never published": ([
        ("reviewkit/review/versions.py",
         'unpublishable = status.digest if status.state == "invalid" else None',
         "unpublishable = None"),
        ("reviewkit/outputs/publish_plan.py",
         "    if any(f.is_error for f in version.result.findings):  # never serve invalid",
         "    if False:  # never serve invalid"),
    ], [PUB + "test_line_separators_in_front_matter_never_crash_publish"]),
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
        # the property tests at CI's example counts: at the inner loop's 50, a test can
        # miss a mutation by chance (the loaders' agreement did, one run in two)
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "--tb=no", "-rfEX",
                               "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
                              cwd=ROOT, capture_output=True, text=True, check=False,
                              env={**os.environ, "HYPOTHESIS_PROFILE": "ci"})
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


def unresolved(names: list[str] | None = None) -> list[str]:
    """Entries that no longer point somewhere: a defence's code not found exactly once in its
    file, or a listed test whose file or function does not exist."""
    problems: list[str] = []
    for name in names or list(MUTATIONS):
        edits, tests = MUTATIONS[name]
        for rel, old, _ in edits:
            path = ROOT / rel
            found = path.read_text().count(old) if path.is_file() else 0
            if found != 1:
                problems.append(f"{name}: {rel}: the defence's code is found {found} times, "
                                f"not once: {old!r}")
        for selector in tests:
            rel, _, func = selector.partition("::")
            path = ROOT / rel
            func = func.split("[", 1)[0]
            if not path.is_file() or not re.search(rf"^def {re.escape(func)}\(",
                                                   path.read_text(), re.M):
                problems.append(f"{name}: no test {selector}")
    return problems


def main(names: list[str]) -> int:
    if names[:1] == ["--resolve"]:
        problems = unresolved(names[1:])
        print("\n".join(problems) or f"every entry of {len(names[1:]) or len(MUTATIONS)} resolves")
        return 1 if problems else 0
    names = names or list(MUTATIONS)
    results = {n: run(n) for n in names}
    print(f"\n{sum(results.values())} of {len(results)} defences: removing it makes its tests fail")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
