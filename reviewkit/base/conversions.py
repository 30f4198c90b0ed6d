"""What each annotation of a :mod:`reviewkit.base.structs` model accepts, how a value is
converted (the rules are listed in that module's docstring), and the errors of a
validation (:class:`ValidationError`, pydantic's shape and wording).

Layer: base/ (imports only the standard library).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()
Loc = tuple[Any, ...]


class ValidationError(ValueError):
    """Every problem of one validation; ``errors()`` lists them as pydantic does
    (``loc``, ``msg``, ``type``, ``input``)."""

    def __init__(self, title: str, errors: list[dict[str, Any]]) -> None:
        self.title = title
        self._errors = errors
        super().__init__(self._text())

    def errors(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._errors]

    def error_count(self) -> int:
        return len(self._errors)

    def _text(self) -> str:
        n = len(self._errors)
        lines = [f"{n} validation error{'s' if n != 1 else ''} for {self.title}"]
        for e in self._errors:
            lines.append(".".join(str(p) for p in e["loc"]) or "(top level)")
            shown = repr(e["input"])
            if len(shown) > 60:
                shown = shown[:57] + "..."
            lines.append(f"  {e['msg']} [type={e['type']}, input_value={shown}, "
                         f"input_type={type(e['input']).__name__}]")
        return "\n".join(lines)


class Invalid(Exception):
    """One value's problem, raised inside a checker and turned into an error entry."""

    def __init__(self, kind: str, msg: str) -> None:
        self.kind = kind
        self.msg = msg


class Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: Loc, kind: str, msg: str, value: Any) -> None:
        self.items.append({"type": kind, "loc": loc, "msg": msg, "input": value})


Check = Callable[[Any, Loc, Errors], Any]  # returns the value, or MISSING after an error
_BOOL_WORDS = {"0": False, "off": False, "f": False, "false": False, "n": False, "no": False,
               "1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
# what pydantic strips around a number (Unicode White_Space; Python's strip() would also
# take the separators U+001C-U+001F)
_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_FLOAT_INT_LIMIT = 2.0**63
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME_TEXT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?")


def _leaf(convert: Callable[[Any], Any]) -> Check:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        try:
            return convert(value)
        except Invalid as bad:
            errors.add(loc, bad.kind, bad.msg, value)
            return MISSING
    return check


def _str(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if type(v) is str or (not strict and isinstance(v, str)):
            return str(v)
        raise Invalid("string_type", "Input should be a valid string")
    return convert


def _int(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return int(v)
        if not strict and isinstance(v, float) and not isinstance(v, bool):
            if not -_FLOAT_INT_LIMIT < v < _FLOAT_INT_LIMIT:  # pydantic's bound (64 bits)
                raise Invalid("int_parsing_size", "Unable to parse input string as an "
                              "integer, exceeded maximum size")
            if v.is_integer():
                return int(v)
            raise Invalid("int_from_float", "Input should be a valid integer, got a number "
                           "with a fractional part")
        if not strict and isinstance(v, str) and _INT_TEXT.fullmatch(v.strip(_SPACE)):
            return int(v.strip(_SPACE))
        if not strict and isinstance(v, str):
            raise Invalid("int_parsing", "Input should be a valid integer, unable to parse "
                           "string as an integer")
        raise Invalid("int_type", "Input should be a valid integer")
    return convert


def _float(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            try:
                return float(v)
            except OverflowError:  # an int beyond any float
                raise Invalid("float_type", "Input should be a valid number") from None
        if not strict and isinstance(v, str):
            try:
                return float(_FLOAT_TEXT.fullmatch(v.strip(_SPACE))[0])  # type: ignore[index]
            except TypeError:
                raise Invalid("float_parsing", "Input should be a valid number, unable to "
                              "parse string as a number") from None
        raise Invalid("float_type", "Input should be a valid number")
    return convert


def _bool(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        if not strict:
            if isinstance(v, int) and v in (0, 1):
                return bool(v)
            if isinstance(v, str) and v.isascii() and v.lower() in _BOOL_WORDS:
                return _BOOL_WORDS[v.lower()]  # as written: pydantic strips no space here
            if isinstance(v, (int, str)):
                raise Invalid("bool_parsing",
                               "Input should be a valid boolean, unable to interpret input")
        raise Invalid("bool_type", "Input should be a valid boolean")
    return convert


def _date(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            if not strict and v.time() == dt.time(0) and v.utcoffset() in (None, dt.timedelta(0)):
                return v.date()
        elif isinstance(v, dt.date):
            return v
        elif not strict and isinstance(v, str):
            m = _DATE_TEXT.fullmatch(v)
            try:
                if m is None:
                    raise ValueError(v)
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise Invalid("date_from_datetime_parsing", "Input should be a valid date in "
                               "the format YYYY-MM-DD") from None
        raise Invalid("date_type", "Input should be a valid date")
    return convert


def _datetime(strict: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v
        if not strict and isinstance(v, dt.date):
            return dt.datetime(v.year, v.month, v.day)
        if not strict and isinstance(v, str):
            m = _DATETIME_TEXT.fullmatch(v)
            try:
                if m is None:
                    raise ValueError(v)
                micro = int((m[7] or "").ljust(6, "0"))
                zone = m[8]
                tz: dt.tzinfo | None = None
                if zone == "Z":
                    tz = dt.timezone.utc
                elif zone:
                    hours, minutes = int(zone[1:3]), int(zone[4:6])
                    if hours > 23 or minutes > 59:
                        raise ValueError(v)
                    offset = dt.timedelta(hours=hours, minutes=minutes)
                    tz = dt.timezone(-offset if zone[0] == "-" else offset)
                return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0),
                                   int(m[5] or 0), int(m[6] or 0), micro, tzinfo=tz)
            except ValueError:
                raise Invalid("datetime_from_date_parsing",
                               "Input should be a valid datetime") from None
        raise Invalid("datetime_type", "Input should be a valid datetime")
    return convert


def _literal(choices: tuple[Any, ...]) -> Callable[[Any], Any]:
    shown = [repr(c) for c in choices]
    expected = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"

    def convert(v: Any) -> Any:
        for c in choices:
            if type(v) is type(c) and v == c:
                return c
        raise Invalid("literal_error", f"Input should be {expected}")
    return convert


def _list(item: Check) -> Check:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        if not isinstance(value, (list, tuple)):
            errors.add(loc, "list_type", "Input should be a valid list", value)
            return MISSING
        out = []
        ok = True
        for i, v in enumerate(value):
            got = item(v, (*loc, i), errors)
            ok = ok and got is not MISSING
            out.append(got)
        return out if ok else MISSING
    return check


def _dict(key: Check, item: Check) -> Check:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        if not isinstance(value, dict):
            errors.add(loc, "dict_type", "Input should be a valid dictionary", value)
            return MISSING
        out = {}
        ok = True
        for k, v in value.items():
            got_k = key(k, (*loc, k, "[key]"), errors)
            got_v = item(v, (*loc, k), errors)
            ok = ok and got_k is not MISSING and got_v is not MISSING
            out[got_k] = got_v
        return out if ok else MISSING
    return check


def _optional(inner: Check) -> Check:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        return None if value is None else inner(value, loc, errors)
    return check


def _union(options: list[tuple[Any, Check]]) -> Check:
    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        # an exact type first (a string is a str, not a list's candidate), then in order
        ranked = sorted(options, key=lambda o: 0 if _exact(o[0], value) else 1)
        attempts = []
        for tp, opt in ranked:
            trial = Errors()
            got = opt(value, loc, trial)
            if got is not MISSING:
                return got
            attempts.append((tp, trial))
        # each member's errors under its name, in declared order (pydantic's places)
        for tp, trial in sorted(attempts, key=lambda a: [o[0] for o in options].index(a[0])):
            # (list[str] is an instance of type before Python 3.11: test the origin first)
            tag = (tp.__name__ if typing.get_origin(tp) is None and isinstance(tp, type)
                   else str(tp).replace("typing.", ""))
            for e in trial.items:
                e["loc"] = (*loc, tag, *e["loc"][len(loc):])
                errors.items.append(e)
        return MISSING
    return check


def _exact(tp: Any, value: Any) -> bool:
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and type(value) is origin


def _any(value: Any, loc: Loc, errors: Errors) -> Any:
    return value


def checker(tp: Any, strict: bool, model: Callable[[type], Check | None]) -> Check:
    """The check of annotation ``tp``; ``model(tp)`` gives that of a model class (else None)."""
    if tp is Any:
        return _any
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        return _leaf(_literal(args))
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        inner = (checker(rest[0], strict, model) if len(rest) == 1
                 else _union([(a, checker(a, strict, model)) for a in rest]))
        return _optional(inner) if len(rest) < len(args) else inner
    if origin is list:
        return _list(checker(args[0], strict, model))
    if origin is dict:
        return _dict(checker(args[0], strict, model), checker(args[1], strict, model))
    if tp is dict:
        return _dict(_any, _any)
    nested = model(tp) if isinstance(tp, type) else None
    if nested is not None:
        return nested
    leaf = {str: _str, int: _int, float: _float, bool: _bool, dt.datetime: _datetime,
            dt.date: _date}.get(tp)
    if leaf is None:
        raise TypeError(f"no checker for the annotation {tp!r}")
    return _leaf(leaf(strict))


def end_anchored(pattern: str) -> str:
    """``pattern`` with each ``$`` (outside a class, unescaped) as ``\\Z``: in Python's
    ``re`` a ``$`` also matches before a final newline, so ``^[0-9a-f]{16}$`` would accept
    a nonce ending in one; pydantic's regex engine, and a reader, mean the text's end."""
    out: list[str] = []
    i, start = 0, -1  # start: where the open class's members begin in out (-1: none open)
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if start >= 0:
            # a "]" first in a class (after any "^") is a member, not its end
            first = len(out) == start or (len(out) == start + 1 and out[start] == "^")
            if c == "]" and not first:
                start = -1
        elif c == "[":
            start = len(out) + 1
        elif c == "$":
            c = r"\Z"
        out.append(c)
        i += 1
    return "".join(out)


def count_of(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
