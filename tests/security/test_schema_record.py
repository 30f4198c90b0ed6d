"""A forged or foreign record of "this schema was already checked" (``.git/reviewkit/
schemas-checked.json``, which lets a one-article command skip jsonschema's meta-schema
check) never makes an invalid schema acceptable.

SECURITY.md points here (``SR:``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from reviewkit.record.remembered import SCHEMAS_FILE, remember_schema_checked

from conftest import Project

A = "content/articles/coping-with-worry.md"
SCHEMA = "schemas/article.schema.json"


def _break_schema(project: Project) -> str:
    """A pattern jsonschema refuses (``\\p{L}``: not a Python regex) but jsonschema-rs
    compiles: only the full check says the schema is invalid. Returns its sha256."""
    doc = json.loads(project.repo.read(SCHEMA))
    doc["properties"]["x-note"] = {"type": "string", "pattern": "\\p{L}+"}
    project.repo.write(SCHEMA, json.dumps(doc, indent=2))
    return hashlib.sha256((project.path / SCHEMA).read_bytes()).hexdigest()


def _record(project: Project) -> Path:
    return project.path / ".git" / "reviewkit" / SCHEMAS_FILE


def _refused(project: Project) -> None:
    r = project.rk("status", A)
    assert r.code == 2 and "not a valid JSON Schema" in r.err, r.output


def test_invalid_schema_is_refused_without_a_record(project: Project) -> None:
    _break_schema(project)
    _refused(project)
    assert not _record(project).exists()  # a schema that failed is never remembered


def test_forged_schema_record_does_not_skip_the_check(project: Project) -> None:
    sha = _break_schema(project)
    _record(project).parent.mkdir(parents=True, exist_ok=True)
    _record(project).write_text(json.dumps({"checked": [{"sha": sha, "mac": "0" * 64}]}))
    _refused(project)


def test_foreign_schema_record_does_not_skip_the_check(project: Project, tmp_path: Path) -> None:
    """A record made under another key (another machine, a restored CI cache)."""
    sha = _break_schema(project)
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "other-machine")
    try:
        remember_schema_checked(project.path / ".git", sha)
    finally:
        del os.environ["XDG_CACHE_HOME"]
    assert sha in _record(project).read_text()
    _refused(project)


def test_record_of_the_valid_schema_does_not_cover_a_changed_one(project: Project) -> None:
    assert project.rk("status", A).code == 0  # checks the valid schema and remembers it
    assert _record(project).exists()
    _break_schema(project)
    _refused(project)
