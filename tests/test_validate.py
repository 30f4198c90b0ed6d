"""`reviewkit validate`: every bad input gives a finding with its real line and column."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewkit.article.content import parse_article
from reviewkit.article.frontmatter import MAX_FILE_BYTES
from reviewkit.article.schema import compile_schema

from conftest import Project, article, examples, rk

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = compile_schema((ROOT / "schemas/article.schema.json").read_bytes(), "schema")
A = "content/articles/"


def snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        if ".git" in Path(dirpath).parts:
            continue
        for f in files:
            p = Path(dirpath) / f
            if not p.is_symlink():
                out[str(p.relative_to(root))] = p.read_bytes()
    return out


def test_sample_like_article_is_valid(project: Project) -> None:
    r = project.rk("validate")
    assert r.code == 0, r.output
    assert "1 file checked: no problems found" in r.out


def test_each_error_reported_with_real_position_and_nothing_written(project: Project) -> None:
    repo = project.repo
    repo.write(A + "syntax.md", "---\nid: [1, 2\ntitle: x\n---\nbody\n")
    repo.write(A + "fields.md", article(slug="fields", id="01JDX3Q7G6M2N8P4R5S6T7V8WF").replace(
        'title: "Coping with worry"\n', "").replace("draft: false", "draft: maybe")
        .replace("topics: [anxiety]", "topics: [anxiety]\ncolour: red"))
    before = snapshot(repo.path)
    r = project.rk("validate")
    assert r.code == 1
    lines = r.out.splitlines()
    assert any(line.startswith(A + "syntax.md:3:6: error[yaml-syntax]: invalid YAML") and
               "started at line 2, column 5" in line for line in lines), r.out
    assert A + "fields.md:1:1: error[schema-required]: missing required field 'title'" in lines
    # title removed; colour added on line 9 after topics; draft: maybe on line 10, value at column 8
    assert (A + "fields.md:10:8: error[schema-type]: draft: 'maybe' is not of type 'boolean'"
            " — write true or false (not yes/no or on/off)") in lines
    assert (A + "fields.md:9:1: error[schema-unknown-field]: unknown field 'colour' "
            "(not in the schema; check the spelling)") in lines
    assert lines[-1] == "3 files checked: 4 errors, 0 warnings"
    assert snapshot(repo.path) == before


@pytest.mark.parametrize(("content", "rule", "where", "message"), [
    (b"---\na: 1\na: 2\n---\n", "yaml-duplicate-key", "3:1", 'found duplicate key "a"'),
    (b"---\na: &x [1, 2]\nb: *x\n---\n", "yaml-alias", "2:4", "anchors and aliases are not allowed"),
    (b"---\na: &x 1\n---\n", "yaml-alias", "2:4", "anchors and aliases are not allowed"),
    (b"---\na: !!str x\n---\n", "yaml-tag", "2:4", "not allowed in front matter: !!str"),
    (b"---\na: ! x\n---\n", "yaml-tag", "2:4", "not allowed in front matter: !"),
    (b"---\na: |#\n  x\n---\n", "yaml-syntax", "2:4", "block scalar indicator"),
    (b"---\na: x\t\n---\n", "front-matter", "2:5", "tab in the front matter"),
    (b"---\n2026-01-01: x\n---\n", "yaml-type", "2:1", "is not a string"),
    (b"---\na: !!python/object:os.system x\n---\n", "yaml-tag", "2:4", "YAML tag not allowed"),
    (b"---\na: \"caf\xe9\"\n---\n", "encoding", "2:8", "not valid UTF-8 (byte 0xe9)"),
    (b"---\na: 1\n---\nbody\x00\n", "encoding", "4:1", "NUL byte"),
    (b"no front matter\n", "front-matter", "1:1", "does not start with '---'"),
    (b"---\na: 1\nbody\n", "front-matter", "1:1", "not closed"),
    (b"---\n- 1\n- 2\n---\n", "front-matter", "2:1", "must be a mapping"),
    (b"---\na: .nan\n---\n", "yaml-type", "2:4", "NaN"),
    (b"---\n1: x\n---\n", "yaml-type", "2:1", "is not a string"),
    (b"---\na: !!binary aGVsbG8=\n---\n", "yaml-tag", "2:4", "not allowed in front matter: !!binary"),
    (b"---\na: " + b"[" * 200 + b"]" * 200 + b"\n---\n", "yaml-depth", "2:35", "nested"),
    (b"---\n<<: {a: 1}\n---\n", "yaml-tag", "2:1", "merge keys (<<) are not allowed"),
    (b"---\na: !!set {x}\n---\n", "yaml-tag", "2:4", "not allowed in front matter: !!set"),
])
def test_bad_input_findings(project: Project, content: bytes, rule: str, where: str, message: str) -> None:
    project.repo.write(A + "bad.md", content)
    r = project.rk("validate", str(project.path / A / "bad.md"))
    assert r.code == 1, r.output
    first = r.out.splitlines()[0]
    assert first.startswith(f"{A}bad.md:{where}: error[{rule}]:"), first
    assert message in first
    assert "Traceback" not in r.output


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    bomb += "---\n"
    r = parse_article(A + "bomb.md", bomb.encode(), SCHEMA)
    assert [f.rule for f in r.findings] == ["yaml-alias"]


def test_huge_file_refused(project: Project) -> None:
    project.repo.write(A + "huge.md", b"---\na: 1\n---\n" + b"x" * (20 * MAX_FILE_BYTES))
    r = project.rk("validate")
    assert r.code == 1
    assert "error[file-too-large]" in r.out
    # the reader stops past the limit: no size it never read is claimed
    assert f"larger than {MAX_FILE_BYTES:,} bytes" in r.out and "1,048,577" not in r.out


def test_bom_and_crlf_are_accepted(project: Project) -> None:
    text = article(slug="crlf", id="01JDX3Q7G6M2N8P4R5S6T7V8WA").replace("\n", "\r\n")
    project.repo.write(A + "crlf.md", b"\xef\xbb\xbf" + text.encode())
    r = project.rk("validate")
    assert r.code == 0, r.output


def test_symlink_out_of_repo_is_an_error(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(article())
    os.symlink(outside, project.path / A / "linked.md")
    r = project.rk("validate")
    assert r.code == 1
    assert f"{A}linked.md: error[symlink]: is a symbolic link (to a path outside the repository)" in r.out


def test_duplicate_ids_and_slug_differing_from_file_name(project: Project) -> None:
    project.repo.write(A + "copy.md", article(slug="copy"))
    project.repo.write(A + "other-name.md", article(slug="something", id="01JDX3Q7G6M2N8P4R5S6T7V8WB"))
    r = project.rk("validate")
    assert r.code == 1
    assert "error[duplicate-id]: id 01JDX3Q7G6M2N8P4R5S6T7V8W9 is also claimed by" in r.out
    # as in Hugo, Jekyll and Astro, `slug` may differ from the file name
    assert "other-name.md" not in r.out and "slug" not in r.out


def test_json_and_github_formats(project: Project) -> None:
    project.repo.write(A + "bad.md", "---\ntitle: 1\n---\n")
    r = project.rk("validate", "--format", "json")
    assert r.code == 1
    doc = json.loads(r.out)
    assert doc["errors"] >= 1 and doc["files"] == 2
    f = next(f for f in doc["findings"] if f["rule"] == "schema-type")
    assert (f["path"], f["line"], f["col"]) == (A + "bad.md", 2, 8)
    r = project.rk("validate", "--format", "github")
    assert f"::error file={A}bad.md,line=2,col=8,title=schema-type::title: 1 is not of type" in r.out


def test_validate_given_paths_only(project: Project) -> None:
    project.repo.write(A + "bad.md", "---\ntitle: 1\n---\n")
    r = project.rk("validate", str(project.path / A / "coping-with-worry.md"))
    assert r.code == 0, r.output


yaml_chars = st.sampled_from(list("abc:- []{}&*!|>'\"#\n\t 0129.,?%@`\\") + ["\x00", "\xff", "é"])


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(yaml_chars, max_size=120), st.binary(max_size=40))
def test_fuzz_front_matter_never_raises(yaml_text: str, junk: bytes) -> None:
    for data in (f"---\n{yaml_text}\n---\nbody\n".encode("utf-8", "surrogatepass"),
                 b"---\n" + junk + b"\n---\n", junk):
        r = parse_article(A + "fuzz.md", data, SCHEMA)
        if r.article is None:
            assert any(f.is_error for f in r.findings)
        for f in r.findings:
            assert f.line >= 0 and f.rule and f.message


def test_not_a_git_repo_is_exit_3(tmp_path: Path) -> None:
    r = rk("validate", cwd=tmp_path)
    assert r.code == 3
    assert r.err.startswith("Error: ") and "not inside a git repository" in r.err


def test_missing_config_is_exit_2(git_repo) -> None:  # type: ignore[no-untyped-def]
    repo = git_repo("bare")
    r = rk("validate", cwd=repo.path)
    assert r.code == 2
    assert "Error: reviewkit.yaml: not found" in r.err and "reviewkit init" in r.err


def test_bad_config_is_exit_2_with_field(project: Project) -> None:
    project.repo.write("reviewkit.yaml", "policy:\n  approvals_required: zero\n")
    r = project.rk("validate")
    assert r.code == 2
    assert "reviewkit.yaml:2:23: policy.approvals_required:" in r.err
    project.repo.write("reviewkit.yaml", "content: [../elsewhere]\n")
    r = project.rk("validate")
    assert r.code == 2 and "must be a path inside the repository" in r.err


_plain = st.sampled_from(["1", "-2", "+3", "0x1F", "0o17", "017", "1_000", "1.5", ".5", "1e3",
                          "-.inf", ".NaN", "true", "False", "TRUE", "yes", "no", "on", "null",
                          "~", "Null", "", "2026-11-20", "2026-11-20T10:00:00Z",
                          "2026-11-20 10:00:00.5 +02:00", "12:30", "-", "word", "Two words",
                          "n", "t", "0", "00", "0.0", "=", "é", "x: y"])
_scalar = st.one_of(_plain, _plain.map(lambda s: f"'{s}'"), _plain.map(lambda s: f'"{s}"'))


def _doc(draw_items: list[tuple[str, str]], style: str) -> str:
    if style == "flow":
        return "{" + ", ".join(f"k{i}: {v}" for i, (_, v) in enumerate(draw_items)) + "}\n"
    return "".join(f"k{i}: {v}\n" for i, (_, v) in enumerate(draw_items))


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.tuples(st.just(""), _scalar), max_size=8), st.sampled_from(["block", "flow"]),
       st.lists(_scalar, max_size=4))
def test_fast_loader_equals_ruamel_safe_load(items: list[tuple[str, str]], style: str,
                                             seq: list[str]) -> None:
    """load_yaml builds values from events; it must give what ruamel's safe load gives."""
    from yaml_reference import load_yaml_reference

    from reviewkit.article.frontmatter import FrontMatterError, load_yaml

    text = _doc(items, style)
    if style == "block" and seq:
        text += "seq:\n" + "".join(f"  - {v}\n" for v in seq) + "nested:\n  inner: [" + \
            ", ".join(seq) + "]\n"

    def run(fn):  # type: ignore[no-untyped-def]
        try:
            return ("ok", fn(text))
        except FrontMatterError as exc:
            return ("error", exc.rule)

    fast, ref = run(load_yaml), run(load_yaml_reference)
    if ref[0] == "ok" and fast[0] == "ok":
        assert fast == ref, text
        assert json.dumps(fast[1], sort_keys=True) == json.dumps(ref[1], sort_keys=True)
    else:
        assert fast[0] == ref[0] == "error", (text, fast, ref)


_fm_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3000), st.floats(-5, 5),
                       st.sampled_from(["", "x", "2026-11-20", "not-a-date", "a@example.org",
                                        "anxiety", "Bad Topic", "01JDX3Q7G6M2N8P4R5S6T7V8W9",
                                        "https://example.org", "ftp://x"]))

_edge = st.sampled_from(["anxiety\n", "x-y\n", "2026-11-20\n", "20261120", "2026-02-30",
                         "a@b", "a@@b", "@x", "x@", "https://example.org\n", "\ud800",
                         "01JDX3Q7G6M2N8P4R5S6T7V8W9\n", "é", "ǅ", "٣"]) | _fm_values
_edge_docs = st.fixed_dictionaries({}, optional={
    "id": _edge, "title": _edge, "slug": _edge, "description": _edge, "draft": _edge,
    "updated": _edge, "topics": st.lists(_edge, max_size=3),
    "author": st.fixed_dictionaries({}, optional={"name": _edge, "email": _edge}),
    "citations": st.lists(st.fixed_dictionaries({}, optional={
        "id": _edge, "title": _edge, "url": _edge,
        "year": st.one_of(_edge, st.just(2021.0), st.just(10**30), st.just(True))}),
        max_size=2),
})


_VALID_DOC = {
    "id": "01JDX3Q7G6M2N8P4R5S6T7V8W9", "title": "T", "slug": "t", "description": "D",
    "author": {"name": "N", "email": "n@example.org"}, "topics": ["anxiety"], "draft": False,
    "updated": "2026-11-20",
    "citations": [{"id": "c1", "title": "C", "url": "https://example.org", "year": 2021}],
}


@pytest.mark.slow
@settings(max_examples=examples(1500), deadline=None)
@given(_edge_docs, st.integers(0, 3), st.randoms(use_true_random=False))
def test_fast_validator_never_accepts_what_jsonschema_rejects(overrides: dict, n: int, rnd) -> None:  # type: ignore[type-arg, no-untyped-def]
    """jsonschema-rs only answers "valid"; jsonschema must agree whenever it does. The
    documents are valid ones with up to three fields replaced by edge cases."""
    import copy

    from jsonschema import Draft202012Validator

    if SCHEMA.fast is None:
        pytest.skip("jsonschema-rs is not installed: jsonschema alone decides")
    plain = Draft202012Validator(SCHEMA.document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    doc = copy.deepcopy(_VALID_DOC)
    for k in rnd.sample(sorted(overrides), min(n, len(overrides))):
        if k in ("author", "citations") and overrides[k]:
            if k == "author":
                doc["author"].update(overrides[k])
            else:
                doc["citations"][0].update(overrides[k][0])
        else:
            doc[k] = overrides[k]
    try:
        fast_ok = SCHEMA.fast.is_valid(doc)
    except Exception:
        return  # validate() then asks jsonschema
    if fast_ok:
        assert not list(plain.iter_errors(doc)), doc


def test_valid_sample_documents_take_the_fast_path() -> None:
    from reviewkit.article.frontmatter import decode, load_yaml, split

    data = (ROOT / "content/articles/fear-of-intimacy.md").read_bytes()
    doc = load_yaml(split(decode(data)).yaml_text)
    assert SCHEMA.fast is not None and SCHEMA.fast.is_valid(doc)
    assert not list(SCHEMA.validator.iter_errors(doc))


@given(st.lists(st.text(alphabet="ab.-_ xM\u00e9", min_size=1, max_size=8), min_size=1, max_size=3))
def test_discovery_names_a_file_as_pathlib_does(parts: list[str]) -> None:
    """discover() and the catalogue read names without pathlib (speed): same stem and
    suffix as pathlib for any name."""
    from pathlib import PurePosixPath

    from reviewkit.article.content import _suffix, stem

    name = "/".join(p for p in parts if p not in (".", ".."))
    assume(name and not name.endswith("/"))
    pure = PurePosixPath(name)
    assert stem(name) == pure.stem
    assert _suffix(pure.name) == pure.suffix


def test_an_unclosed_flow_list_gets_advice_about_the_list(project: Project) -> None:
    """The fix offered for a YAML error fits the error: an unclosed [ is about the list."""
    config = project.path / "reviewkit.yaml"
    config.write_text(config.read_text() + "extra_list: [a, b\n")
    r = project.rk("status")
    assert r.code == 2, r.output
    assert "reviewkit.yaml:" in r.err and "a list in [ ] or a mapping in { } is not closed" in r.err


def test_validate_lists_every_configuration_error_with_its_position(project: Project) -> None:
    """Other commands name the first error of reviewkit.yaml and say "run 'reviewkit
    validate' to list them all": validate does, in every format, each with a suggestion
    for a misspelt key at any depth, and exits 2 having checked nothing else."""
    path = project.path / "reviewkit.yaml"
    path.write_text(path.read_text().replace("  max_age_days: 365", "  max_age: 365")
                    .replace("approvals_required: 1", "approvals_required: one")
                    + "publish: {langg: en}\n")
    status = project.rk("status")
    assert status.code == 2 and "and 2 more: run 'reviewkit validate'" in status.err
    r = project.rk("validate")
    assert r.code == 2 and "3 errors (listed above)" in r.err
    lines = r.out.splitlines()
    assert len(lines) == 3 and lines == sorted(lines, key=lambda s: int(s.split(":")[1]))
    assert "policy.approvals_required: Input should be a valid integer" in r.out
    assert "policy.max_age: Extra inputs are not permitted (did you mean `max_age_days`?)" in r.out
    assert "publish.langg: Extra inputs are not permitted (did you mean `lang`?)" in r.out
    for line in lines:
        assert line.startswith("reviewkit.yaml:") and ": error[config]: " in line
    js = project.rk("validate", "--format", "json")
    assert js.code == 2 and len(json.loads(js.out)["findings"]) == 3
    gh = project.rk("validate", "--format", "github")
    assert gh.code == 2 and gh.out.count("::error file=reviewkit.yaml,") == 3
