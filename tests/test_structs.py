"""reviewkit.base.structs: the models' validation, against pydantic's on generated input.

Each test model is declared once (``SPECS``) and built twice, as a ``structs.Model`` and as
a pydantic ``BaseModel`` with the same annotations, constraints and configuration. On
generated input (YAML and JSON shaped values, right and wrong types, extra and missing
keys):

- whatever structs accepts, pydantic accepts, with the same values (never looser);
- on values of each field's own type (and the conversions the module documents),
  pydantic accepts only what structs accepts too (not stricter there);
- when both refuse, every place pydantic names is named.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any, Literal, Optional

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewkit.base import structs
from reviewkit.base.model import Config, Policy, Registry, ReviewEvent
from tests.conftest import examples

Lang = Literal["keep", "withdraw"]

# name -> (annotation, default or ..., constraints); the annotations name other specs by
# string ("Inner") and are resolved for each side
SPECS: dict[str, dict[str, Any]] = {
    "Inner": {
        "config": {"extra": "forbid"},
        "fields": {
            "key": ("str", ..., {}),
            "after": ("Optional[dt.datetime]", None, {}),
            "until": ("Optional[dt.date]", None, {}),
        },
    },
    "Outer": {
        "config": {"extra": "forbid", "populate_by_name": True},
        "fields": {
            "name": ("str", "x", {"min_length": 1, "max_length": 8}),
            "count": ("int", 1, {"ge": 1, "le": 100}),
            "grade": ("float", 8.0, {"gt": 0}),
            "flag": ("bool", False, {}),
            "mode": ("Lang", "keep", {}),
            "tags": ("list[str]", [], {}),
            "table": ("dict[str, list[str]]", {}, {}),
            "inner": ("Optional[Inner]", None, {}),
            "inners": ("list[Inner]", [], {}),
            "code": ("Optional[str]", None, {"pattern": r"^[a-z]{2,3}(-[A-Z]{2})?$"}),
            "schema_path": ("str", "s.json", {"alias": "schema"}),
            "anything": ("Any", None, {}),
            "phrase": ("Optional[str | list[str]]", None, {}),
        },
    },
    "Open": {
        "config": {"extra": "allow"},
        "fields": {"id": ("str", ..., {}), "year": ("Optional[int]", None, {}),
                   "when": ("dt.date", dt.date(2026, 1, 1), {})},
    },
    "Strict": {
        "config": {"extra": "forbid", "strict": True},
        "fields": {"v": ("Literal[1]", ..., {}), "kind": ("Lang", ..., {}),
                   "text": ("str", ..., {"max_length": 5}),
                   "sig": ("Optional[str]", None, {"pattern": "^-----"})},
    },
}


def _build(kind: str) -> dict[str, type]:
    made: dict[str, type] = {}
    ns: dict[str, Any] = {"dt": dt, "Optional": Optional, "Literal": Literal, "Any": Any,
                          "Lang": Lang}
    for name, spec in SPECS.items():
        fields: dict[str, Any] = {}
        for fname, (ann, default, cons) in spec["fields"].items():
            tp = eval(ann, {**ns, **made})  # noqa: S307 - the test's own annotation strings
            if kind == "structs":
                kw = dict(cons)
                info = (structs.Field(**kw) if default is ... else
                        structs.Field(default_factory=lambda d=default: type(d)(d), **kw)
                        if isinstance(default, (list, dict)) else structs.Field(default, **kw))
                fields[fname] = (tp, info)
            else:
                fields[fname] = (tp, pydantic.Field(default, **cons))
        if kind == "structs":
            cls = type(name, (structs.Model,), {
                "__annotations__": {f: t for f, (t, _) in fields.items()},
                "model_config": structs.ConfigDict(**spec["config"]),
                "__module__": __name__,
                **{f: i for f, (_, i) in fields.items()},
            })
        else:
            cls = pydantic.create_model(name, __config__=pydantic.ConfigDict(**spec["config"]),
                                        **fields)
        made[name] = cls
    return made


OURS = _build("structs")
THEIRS = _build("pydantic")


def _their_dump(value: Any) -> Any:
    return value.model_dump() if isinstance(value, pydantic.BaseModel) else value


def _run(kind: dict[str, type], name: str, data: Any) -> tuple[bool, Any]:
    try:
        return True, kind[name].model_validate(data).model_dump()  # type: ignore[attr-defined]
    except (structs.ValidationError, pydantic.ValidationError) as exc:
        return False, sorted({tuple(str(p) for p in e["loc"][:2]) for e in exc.errors()})


# values as YAML and JSON loaders make them, right and wrong for every field type
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 200), st.sampled_from([0, 1, 2, 1.0, 0.0, 2.5]),
    st.sampled_from([2.0**63, 2.0**63 - 1024, -2.0**63, 1e300, 10**30, 10**400]),  # edges
    # spaces around numbers and words: which ones pydantic strips
    st.sampled_from(["\u20035", "5\u2003", "\x1c5", "\x855", " 5\t", "\x0b1", " yes", "no\n",
                     "\tTrue", "1\x1f", " 8.5 ", "\x1c8.5"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "x", "keep", "withdraw", "yes", "No", "on", "true", "0", "1", "5",
                     " 7 ", "+3", "-2", "1_000", "5.0", "8.5", "1e3", "inf", "nan", "abc", "en", "pt-BR", "EN", "-----sig",
                     "2026-02-03", "2026-13-01", "2026-02-03T04:05:06Z",
                     "2026-02-03 04:05", "2026-02-03T04:05:06.5+02:00", "1700000000",
                     "averyveryverylongname"]),
    st.text(max_size=6),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1),
                 timezones=st.sampled_from([None, dt.timezone.utc])),
)
VALUES: st.SearchStrategy[Any] = st.deferred(
    lambda: SCALARS | st.lists(VALUES, max_size=3)
    | st.dictionaries(st.sampled_from(["key", "after", "until", "x", "1"]), VALUES, max_size=3))


def _inputs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = [*SPECS[name]["fields"], "schema", "extra", "zzz"]
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=6)


SETTINGS = settings(max_examples=examples(200), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", list(SPECS))
@SETTINGS
@given(data=st.data())
def test_never_looser_than_pydantic(name: str, data: st.DataObject) -> None:
    value = data.draw(_inputs(name))
    ours, theirs = _run(OURS, name, value), _run(THEIRS, name, value)
    if ours[0]:
        assert theirs == ours, value
    elif not theirs[0]:
        # every place pydantic refuses is refused here (here more may be: the conversions
        # this module leaves out, e.g. a unix time as a date)
        assert set(theirs[1]) <= set(ours[1]), value


def _typed(ann: str) -> st.SearchStrategy[Any]:
    """Values of the field's own type, and the conversions the module documents."""
    simple: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=10),
        "int": st.one_of(st.integers(-5, 150), st.integers(-5, 150).map(float),
                         st.integers(-5, 150).map(str)),
        "float": st.one_of(st.integers(-5, 150), st.floats(allow_nan=False),
                           st.floats(-5, 150).map(str), st.sampled_from(["1e3", ".5", "7."])),
        "bool": st.one_of(st.booleans(), st.sampled_from([0, 1, "yes", "NO", "on", "Off", "t",
                                                          "F", "1", "0", "true"])),
        "Lang": st.sampled_from(["keep", "withdraw", "other"]),
        "Literal[1]": st.sampled_from([1, 2]),
        "dt.date": st.one_of(st.dates(), st.dates().map(lambda d: d.isoformat())),
        "dt.datetime": st.one_of(
            st.datetimes(timezones=st.sampled_from([None, dt.timezone.utc])),
            st.dates(min_value=dt.date(1, 1, 2)),
            st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9998, 1, 1),
                         timezones=st.sampled_from([None, dt.timezone.utc])).map(
                lambda t: t.isoformat().replace("+00:00", "Z"))),
        "Any": st.one_of(st.none(), st.integers(), st.text()),
    }
    if ann.startswith("Optional["):
        return st.one_of(st.none(), _typed(ann[len("Optional["):-1]))
    if ann.startswith("list["):
        return st.lists(_typed(ann[5:-1]), max_size=3)
    if ann.startswith("dict[str, "):
        return st.dictionaries(st.text(max_size=4), _typed(ann[len("dict[str, "):-1]), max_size=3)
    if ann == "str | list[str]":
        return st.one_of(st.text(max_size=4), st.lists(st.text(max_size=4), max_size=3))
    if ann in SPECS:
        return st.fixed_dictionaries({f: _typed(a) for f, (a, d, _) in SPECS[ann]["fields"].items()
                                      if d is ...})
    return simple[ann]


@pytest.mark.parametrize("name", list(SPECS))
@SETTINGS
@given(data=st.data())
def test_as_lenient_as_pydantic_on_values_of_each_type(name: str, data: st.DataObject) -> None:
    fields = SPECS[name]["fields"]
    value = {f: data.draw(_typed(a)) for f, (a, d, _) in fields.items()
             if d is ... or data.draw(st.booleans())}
    ours, theirs = _run(OURS, name, value), _run(THEIRS, name, value)
    assert ours == theirs, value


def test_messages_name_each_problem_as_pydantic_does() -> None:
    bad = {"count": 0, "flag": "maybe", "mode": "later", "tags": "one", "zzz": 1,
           "inner": {"key": 5, "until": "2026-02-30"}, "code": "EN", "name": ""}
    mine = {tuple(e["loc"]): (e["type"], e["msg"]) for e in _errors(OURS, bad)}
    theirs = {tuple(e["loc"]): (e["type"], e["msg"]) for e in _errors(THEIRS, bad)}
    assert mine.keys() == theirs.keys()
    for loc, (kind, msg) in mine.items():
        if kind not in ("date_from_datetime_parsing",):  # pydantic adds the parser's reason
            assert (kind, msg) == theirs[loc], loc


def _errors(kind: dict[str, type], data: Any) -> list[dict[str, Any]]:
    with pytest.raises((structs.ValidationError, pydantic.ValidationError)) as info:
        kind["Outer"].model_validate(data)  # type: ignore[attr-defined]
    return info.value.errors()  # type: ignore[union-attr]


def test_extra_fields_are_kept_when_allowed_and_dumped_after_the_declared_ones() -> None:
    m = OURS["Open"].model_validate({"zz": [1], "id": "a", "year": "2020"})  # type: ignore[attr-defined]
    assert m.zz == [1] and m.year == 2020
    assert list(m.model_dump()) == ["id", "year", "when", "zz"]
    assert m.model_dump(mode="json")["when"] == "2026-01-01"


def test_defaults_are_not_shared_between_instances() -> None:
    a, b = Policy(), Policy()
    a.accepted_credentials.append("XYZ")
    assert "XYZ" not in b.accepted_credentials
    assert Config().rules == {} and Config().rules is not Config().rules


def test_validators_and_their_messages_in_the_real_models() -> None:
    with pytest.raises(structs.ValidationError) as info:
        Config.model_validate({"assets": ["md"], "policy": {"max_age_days": 0}, "bogus": 1})
    got = {tuple(e["loc"]): e["msg"] for e in info.value.errors()}
    assert info.value.error_count() == len(got) == 3
    assert got[("assets",)].startswith("Value error, assets: 'md' is Markdown")
    assert got[("policy", "max_age_days")] == "Input should be greater than or equal to 1"
    assert got[("bogus",)] == "Extra inputs are not permitted"
    reg = Registry.model_validate({"reviewers": [{"id": "a", "name": "A", "email": "a@x.org",
                                                   "keys": ["ssh-ed25519 AAAA"]}]})
    assert reg.reviewers[0].keys[0].key == "ssh-ed25519 AAAA" and reg.get("a") is reg.reviewers[0]


def test_events_convert_nothing() -> None:
    good = {"v": 1, "event": "commented", "article": "a", "path": "p",
            "digest": "sha256:" + "0" * 64, "blob": "0" * 40, "commit": "0" * 40,
            "actor": "x", "at": "2026-01-01T00:00:00Z", "nonce": "0" * 16, "message": ""}
    assert ReviewEvent.model_validate(good).model_dump(exclude_none=True) == good
    for key, wrong in [("v", True), ("v", "1"), ("message", 5), ("at", dt.datetime(2026, 1, 1)),
                       ("event", "approve"), ("reviewer", None)]:
        with pytest.raises(structs.ValidationError):
            ReviewEvent.model_validate({**good, key: wrong})


def test_no_pattern_field_of_an_event_accepts_a_trailing_newline() -> None:
    """Python's ``$`` also matches before a final newline; a pattern means the text's end
    (pydantic's engine agrees): ``actor: "x\\n"`` or a nonce ending in one is refused."""
    good = {"v": 1, "event": "commented", "article": "a", "path": "p",
            "digest": "sha256:" + "0" * 64, "blob": "0" * 40, "commit": "0" * 40,
            "actor": "x", "at": "2026-01-01T00:00:00Z", "nonce": "0" * 16, "message": ""}
    patterned = [n for n, f in ReviewEvent.model_fields.items() if f.pattern]
    assert {"article", "digest", "blob", "commit", "actor", "at", "nonce"} <= set(patterned)
    for name in patterned:
        if name in good:
            with pytest.raises(structs.ValidationError):
                ReviewEvent.model_validate({**good, name: good[name] + "\n"})


@SETTINGS
@given(pattern=st.sampled_from([r"^[a-z]+$", r"^a[$]b\$$", r"^[]$]x$", r"^[^]$]x$",
                                r"^(a|b)$|^c$", r"x$"]),
       text=st.text(alphabet="abcx$]\n", max_size=6))
def test_a_pattern_matches_as_pydantic_s_engine_does(pattern: str, text: str) -> None:
    ours = structs.FieldInfo(pattern=pattern)
    theirs = pydantic.TypeAdapter(
        typing.Annotated[str, pydantic.StringConstraints(pattern=pattern)])
    try:
        ours.constrain(text)
        mine = True
    except Exception:
        mine = False
    try:
        theirs.validate_python(text)
        other = True
    except pydantic.ValidationError:
        other = False
    assert mine == other, (pattern, text)


def test_union_members_are_named_as_pydantic_names_them() -> None:
    """On every Python (before 3.11 ``list[str]`` is an instance of ``type``): the errors
    of a union name each member as pydantic does."""
    for value in (False, 5, [1], {"a": 1}):
        assert _run(OURS, "Outer", {"phrase": value}) == _run(THEIRS, "Outer", {"phrase": value})
