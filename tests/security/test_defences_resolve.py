"""Every entry of check_defences.py still points at code and tests that exist (fast: no
mutation is run). Moving or renaming code must move its entry along."""

from __future__ import annotations

from check_defences import MUTATIONS, unresolved


def test_every_defence_entry_resolves() -> None:
    assert len(MUTATIONS) > 30
    problems = unresolved()
    assert not problems, "\n".join(problems)


def test_a_stale_entry_is_reported() -> None:
    MUTATIONS["(stale example)"] = ([("reviewkit/base/errors.py", "no such code", "x")],
                                    ["tests/test_layout.py::test_no_such_test[x]"])
    try:
        problems = unresolved(["(stale example)"])
    finally:
        del MUTATIONS["(stale example)"]
    assert len(problems) == 2
    assert "found 0 times" in problems[0] and "no test tests/test_layout.py::" in problems[1]
