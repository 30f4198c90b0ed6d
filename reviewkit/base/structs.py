"""Typed records validated from plain data (YAML and JSON values): reviewkit's models.

The models of :mod:`reviewkit.base.model` (configuration, registry, events, front matter)
and of the content rules (options, word lists) are read by every command, `status` of one article included. pydantic did this job, but
importing it and building these models cost about 0.2 s of start-up, most of a one-article
command's budget. This module does the part reviewkit uses, with the same interface
(``model_validate``, ``model_dump``, ``model_copy``, ``Field``, ``field_validator``,
``model_validator``, a ``ValidationError`` whose ``errors()`` are pydantic's shape and
wording) and no import cost.

What a field accepts, by its annotation:

- ``str``: a string. ``int``: an integer, a float without a fractional part, or a string
  of digits (``"5"``); never a boolean. ``float``: a number, or a text of one (``"8.5"``).
  ``bool``: a boolean, 0 or 1, or one of the words
  pydantic accepts (``yes``/``no``, ``true``/``false``, ``on``/``off``, ``y``/``n``, ``t``/``f``,
  ``1``/``0``, any case). ``datetime.date``: a date, a datetime at midnight, or
  ``YYYY-MM-DD``. ``datetime.datetime``: a datetime, a date (midnight), or an ISO 8601 text.
- ``Literal[...]``: one of the values, of the same type. ``list[T]`` (a list or a tuple),
  ``dict[str, T]``, ``T | None``, a union of those (the first that accepts, strings first),
  ``Any``, and another model (a mapping, or an instance of it).
- ``strict=True`` in ``model_config``: no conversion at all (events).
- ``Field(pattern=...)``: searched in the text, whose ``$`` is the text's end (as in
  pydantic's engine; Python's would also match before a final newline).

Every accepted value is one pydantic's lax mode accepts, with the same result
(``tests/test_structs.py`` checks it against pydantic on generated input); the
conversions left out (unix timestamps as dates, booleans as integers, sets as lists, bytes
as strings) are rejected. Every error is reported, each with its location.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Literal

from reviewkit.base.conversions import (
    MISSING,
    Check,
    Errors,
    Invalid,
    Loc,
    ValidationError,
    checker,
    count_of,
    end_anchored,
)

if sys.version_info >= (3, 11):
    from typing import Self, dataclass_transform
else:  # pragma: no cover - Python 3.10 (typing_extensions is only for the type checker)
    if typing.TYPE_CHECKING:
        from typing_extensions import Self, dataclass_transform
    else:
        Self = Any

        def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
            return lambda cls: cls

__all__ = [
    "ConfigDict",
    "Field",
    "FieldInfo",
    "Model",
    "PrivateAttr",
    "ValidationError",
    "ValidationInfo",
    "field_validator",
    "model_validator",
]


# --- fields ------------------------------------------------------------------------------


class FieldInfo:
    """A field's default and constraints (what ``Field(...)`` returns)."""

    __slots__ = ("alias", "annotation", "default", "default_factory", "ge", "gt", "le",
                 "max_length", "min_length", "name", "pattern", "_rx")

    def __init__(self, default: Any = MISSING, *, default_factory: Callable[[], Any] | None = None,
                 alias: str | None = None, ge: float | None = None, gt: float | None = None,
                 le: float | None = None, min_length: int | None = None,
                 max_length: int | None = None, pattern: str | None = None) -> None:
        self.default = default
        self.default_factory = default_factory
        self.alias = alias
        self.ge, self.gt, self.le = ge, gt, le
        self.min_length, self.max_length = min_length, max_length
        self.pattern = pattern
        self._rx: re.Pattern[str] | None = None
        self.name = ""
        self.annotation: Any = None

    def is_required(self) -> bool:
        return self.default is MISSING and self.default_factory is None

    def get_default(self) -> Any:
        if self.default_factory is not None:
            return self.default_factory()
        d = self.default
        # a mutable default is copied, as pydantic does: no instance shares another's list
        return type(d)(d) if isinstance(d, (list, dict)) else d

    def constrain(self, value: Any) -> Any:
        if isinstance(value, str):
            if self.min_length is not None and len(value) < self.min_length:
                raise Invalid("string_too_short", f"String should have at least "
                               f"{count_of(self.min_length, 'character')}")
            if self.max_length is not None and len(value) > self.max_length:
                raise Invalid("string_too_long", f"String should have at most "
                               f"{count_of(self.max_length, 'character')}")
            if self.pattern is not None:
                if self._rx is None:
                    self._rx = re.compile(end_anchored(self.pattern))
                if self._rx.search(value) is None:
                    raise Invalid("string_pattern_mismatch",
                                   f"String should match pattern '{self.pattern}'")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.gt is not None and not value > self.gt:
                raise Invalid("greater_than", f"Input should be greater than {self.gt}")
            if self.ge is not None and not value >= self.ge:
                raise Invalid("greater_than_equal",
                               f"Input should be greater than or equal to {self.ge}")
            if self.le is not None and not value <= self.le:
                raise Invalid("less_than_equal",
                               f"Input should be less than or equal to {self.le}")
        return value


def Field(default: Any = MISSING, *, default_factory: Callable[[], Any] | None = None,  # noqa: N802
          alias: str | None = None, ge: float | None = None, gt: float | None = None,
          le: float | None = None, min_length: int | None = None, max_length: int | None = None,
          pattern: str | None = None) -> Any:
    """A field's default and constraints, as pydantic's ``Field``."""
    return FieldInfo(default, default_factory=default_factory, alias=alias, ge=ge, gt=gt, le=le,
                     min_length=min_length, max_length=max_length, pattern=pattern)


class _Private:
    __slots__ = ("default",)

    def __init__(self, default: Any) -> None:
        self.default = default


def PrivateAttr(default: Any = None) -> Any:  # noqa: N802
    """An attribute that is not a field: not validated, not dumped, set to ``default``."""
    return _Private(default)


def ConfigDict(**settings: Any) -> dict[str, Any]:  # noqa: N802
    """``model_config``: ``extra`` ("forbid", "allow" or "ignore", the default), ``strict``,
    ``populate_by_name``; pydantic's other settings are accepted and have no effect."""
    return settings


class ValidationInfo:
    """What an ``after`` model validator is told: the ``context`` given to model_validate."""

    __slots__ = ("context",)

    def __init__(self, context: dict[str, Any] | None) -> None:
        self.context = context


class _Validator:
    __slots__ = ("fields", "func", "kind", "mode")

    def __init__(self, func: Any, kind: str, mode: str, fields: tuple[str, ...]) -> None:
        self.func: Any = func.__func__ if isinstance(func, classmethod) else func
        self.kind, self.mode, self.fields = kind, mode, fields

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        # still callable as what it decorates: a classmethod, or (after) a method
        if self.kind == "model" and self.mode == "after":
            return self.func if obj is None else self.func.__get__(obj)
        return self.func.__get__(cls if cls is not None else type(obj))


def field_validator(*fields: str, mode: Literal["before", "after"] = "after") -> Callable[[Any], Any]:
    """A classmethod ``(cls, value) -> value`` run on each named field (after its type
    check, or before it); a ValueError it raises is that field's error."""
    return lambda func: _Validator(func, "field", mode, fields)


def model_validator(*, mode: Literal["before", "after"]) -> Callable[[Any], Any]:
    """``before``: a classmethod ``(cls, data) -> data`` on the raw input; ``after``: a
    method ``(self[, info]) -> self`` on the built model. A ValueError is a top-level error."""
    return lambda func: _Validator(func, "model", mode, ())


def _model_check(cls: type) -> Check | None:
    """The check of a model class (None for any other type)."""
    if not issubclass(cls, Model):
        return None

    def check(value: Any, loc: Loc, errors: Errors) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            errors.add(loc, "model_type", f"Input should be a valid dictionary or instance of "
                       f"{cls.__name__}", value)
            return MISSING
        return cls._spec().build(value, loc, errors, None)
    return check


# --- models ------------------------------------------------------------------------------


class _Spec:
    """A model class's fields, checkers and validators, made on first use."""

    def __init__(self, cls: type[Model]) -> None:
        hints = typing.get_type_hints(cls)  # each class's annotations in its own module
        config = {}
        for base in reversed(cls.__mro__):
            config.update(base.__dict__.get("model_config", {}))
        self.cls = cls
        self.strict = bool(config.get("strict"))
        self.extra = config.get("extra", "ignore")
        self.by_name = bool(config.get("populate_by_name"))
        self.fields: dict[str, FieldInfo] = {}
        self.private: dict[str, Any] = {}
        self.checks: dict[str, Check] = {}
        validators: list[_Validator] = []
        for base in reversed(cls.__mro__):
            validators += [v for v in base.__dict__.values() if isinstance(v, _Validator)]
        for name, tp in hints.items():
            if typing.get_origin(tp) is ClassVar or name == "model_config":
                continue
            attr = _class_value(cls, name)
            if name.startswith("_"):
                self.private[name] = attr.default if isinstance(attr, _Private) else attr
                continue
            info = attr if isinstance(attr, FieldInfo) else FieldInfo(attr)
            info.name, info.annotation = name, tp
            self.fields[name] = info
            self.checks[name] = checker(tp, self.strict, _model_check)
        # the keys each field is read from: its alias (else its name), then its name too
        # when populate_by_name
        self.names = {n: tuple(dict.fromkeys([f.alias or n, *([n] if self.by_name else [])]))
                      for n, f in self.fields.items()}
        self.before_model = [v.func for v in validators if v.kind == "model" and v.mode == "before"]
        self.after_model = [v.func for v in validators if v.kind == "model" and v.mode == "after"]
        self.field_validators = {
            name: ([v.func for v in validators if v.kind == "field" and v.mode == "before"
                    and name in v.fields],
                   [v.func for v in validators if v.kind == "field" and v.mode == "after"
                    and name in v.fields])
            for name in self.fields
        }
        for v in validators:
            unknown = [f for f in v.fields if f not in self.fields]
            if unknown:
                raise TypeError(f"{cls.__name__}: a validator names no field {unknown}")
        # (name, keys, info, run): what build does per field, made once
        self.plan = [(n, self.names[n], f, self._runner(n)) for n, f in self.fields.items()]

    def build(self, data: dict[str, Any], loc: Loc, errors: Errors,
              context: dict[str, Any] | None) -> Any:
        cls = self.cls
        for before in self.before_model:
            try:
                data = before(cls, data)
            except ValueError as exc:
                errors.add(loc, "value_error", f"Value error, {exc}", data)
                return MISSING
        if not isinstance(data, dict):
            errors.add(loc, "model_type", f"Input should be a valid dictionary or instance of "
                       f"{cls.__name__}", data)
            return MISSING
        n_errors = len(errors.items)
        values: dict[str, Any] = {}
        used: set[Any] = set()
        # field by field in declared order (pydantic's order of errors), then the rest
        for name, keys, info, run in self.plan:
            for key in keys:
                if key in data:
                    used.add(key)
                    values[name] = run(data[key], (*loc, key), errors)
                    break
            else:
                if info.is_required():
                    errors.add((*loc, info.alias or name), "missing", "Field required", data)
                else:
                    values[name] = info.get_default()
        extra: dict[str, Any] = {}
        if self.extra != "ignore" and len(used) < len(data):
            for key, value in data.items():
                if key in used:
                    continue
                if self.extra == "forbid":
                    errors.add((*loc, key), "extra_forbidden", "Extra inputs are not permitted",
                               value)
                elif isinstance(key, str) and key not in self.fields:
                    extra[key] = value
        if len(errors.items) > n_errors:
            return MISSING
        obj = cls.__new__(cls)
        # in the order the fields are declared (as pydantic dumps them), extra ones after
        obj.__dict__.update(values)
        obj.__dict__.update(extra)
        for name, default in self.private.items():
            object.__setattr__(obj, name, default)
        for after in self.after_model:
            try:
                obj = (after(obj, ValidationInfo(context))
                       if after.__code__.co_argcount > 1 else after(obj))
            except ValueError as exc:
                errors.add(loc, "value_error", f"Value error, {exc}", data)
                return MISSING
        return obj

    def _runner(self, name: str) -> Check:
        """One field's work: its before validators, its type's check, its constraints and
        its after validators (only the steps it has)."""
        before, after = self.field_validators[name]
        check, info, cls = self.checks[name], self.fields[name], self.cls
        constrained = any(v is not None for v in (info.ge, info.gt, info.le, info.min_length,
                                                  info.max_length, info.pattern))
        if not before and not after and not constrained:
            return check

        def run(value: Any, loc: Loc, errors: Errors) -> Any:
            value = _through(before, cls, value, value, loc, errors)
            got = MISSING if value is MISSING else check(value, loc, errors)
            if got is MISSING:
                return got
            try:
                if constrained:
                    got = info.constrain(got)
            except Invalid as bad:
                errors.add(loc, bad.kind, bad.msg, value)
                return MISSING
            return _through(after, cls, got, value, loc, errors)
        return run


def _through(funcs: list[Any], cls: type, value: Any, shown: Any, loc: Loc,
             errors: Errors) -> Any:
    """``value`` passed through each field validator ``f(cls, value)``; MISSING when one
    raises ValueError (its error added, naming the input ``shown``)."""
    try:
        for f in funcs:
            value = f(cls, value)
    except ValueError as exc:
        errors.add(loc, "value_error", f"Value error, {exc}", shown)
        return MISSING
    return value


def _class_value(cls: type, name: str) -> Any:
    for base in cls.__mro__:
        if name in base.__dict__:
            return base.__dict__[name]
    return MISSING


class _FieldsOf:
    """``Model.model_fields``: the class's fields by name, as pydantic has them."""

    def __get__(self, obj: Any, cls: type[Model]) -> dict[str, FieldInfo]:
        return cls._spec().fields


@dataclass_transform(kw_only_default=True, field_specifiers=(Field, FieldInfo))
class Model:
    """A record validated from plain data (see the module's docstring for what each
    annotation accepts). Build one with ``model_validate(data)`` or ``Model(**data)``."""

    model_config: ClassVar[dict[str, Any]] = {}
    if typing.TYPE_CHECKING:
        model_fields: ClassVar[dict[str, FieldInfo]]
    else:
        model_fields = _FieldsOf()
    __rk_spec: ClassVar[_Spec | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__rk_spec = None

    @classmethod
    def _spec(cls) -> _Spec:
        spec = cls.__dict__.get("_Model__rk_spec")
        if spec is None:
            spec = _Spec(cls)
            cls.__rk_spec = spec
        return spec

    def __init__(self, **data: Any) -> None:
        built = type(self).model_validate(data)
        self.__dict__.update(built.__dict__)

    @classmethod
    def model_validate(cls, obj: Any, *, context: dict[str, Any] | None = None) -> Self:
        """``obj`` checked and converted; ValidationError listing every problem."""
        if isinstance(obj, cls):
            return obj
        errors = Errors()
        spec = cls._spec()
        built = (spec.build(obj, (), errors, context) if isinstance(obj, dict) or spec.before_model
                 else MISSING)
        if built is MISSING and not errors.items:
            errors.add((), "model_type",
                       f"Input should be a valid dictionary or instance of {cls.__name__}", obj)
        if errors.items:
            raise ValidationError(cls.__name__, errors.items)
        return typing.cast(Self, built)

    @classmethod
    def model_construct(cls, **values: Any) -> Self:
        """A model of ``values`` as given (defaults for the rest), without checking them."""
        spec = cls._spec()
        obj = cls.__new__(cls)
        for name, info in spec.fields.items():
            obj.__dict__[name] = values.pop(name) if name in values else (
                None if info.is_required() else info.get_default())
        obj.__dict__.update(values)
        for name, default in spec.private.items():
            object.__setattr__(obj, name, default)
        return obj

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (``deep``: of every nested value too) with ``update`` applied (not checked,
        as pydantic's)."""
        obj = type(self).__new__(type(self))
        if deep:
            import copy

            obj.__dict__.update(copy.deepcopy(self.__dict__))
        else:
            obj.__dict__.update(self.__dict__)
        obj.__dict__.update(update or {})
        return obj

    def model_dump(self, *, mode: Literal["python", "json"] = "python",
                   exclude: Iterable[str] = (), exclude_none: bool = False,
                   by_alias: bool = False) -> dict[str, Any]:
        """The fields (then any extra ones) as plain data; ``mode="json"`` writes dates and
        times as ISO 8601 text."""
        fields = type(self)._spec().fields
        skip = set(exclude)
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if key.startswith("_") or key in skip or (exclude_none and value is None):
                continue
            info = fields.get(key)
            name = info.alias if by_alias and info is not None and info.alias else key
            out[name] = _dump(value, mode, exclude_none, by_alias)
        return out

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """(name, value) of each field, then of each extra one, as pydantic's models."""
        return iter(_public(self.__dict__).items())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _public(self.__dict__) == _public(other.__dict__)

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic's models

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in _public(self.__dict__).items())
        return f"{type(self).__name__}({inner})"


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def _dump(value: Any, mode: str, exclude_none: bool, by_alias: bool) -> Any:
    if isinstance(value, Model):
        return value.model_dump(mode=mode, exclude_none=exclude_none,  # type: ignore[arg-type]
                                by_alias=by_alias)
    if isinstance(value, (list, tuple)):
        return [_dump(v, mode, exclude_none, by_alias) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, mode, exclude_none, by_alias) for k, v in value.items()}
    if mode == "json" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat().replace("+00:00", "Z")
    return value
