"""Reading and writing the YAML front matter of an article.

Reading is a C-backed *safe* load (no tags that build objects), followed by one walk that
turns the result into plain JSON values and refuses what the digest cannot represent:
aliases of collections (alias bombs), non-string keys, binary, NaN, deep nesting. Positions
for messages come from the parser's marks, or from a round-trip re-parse of only the files
that need them. Writing goes through ruamel.yaml's round-trip mode so comments, key order
and quoting a person wrote survive.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewkit.base import printable
from reviewkit.base.findings import Finding

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000

JSON = Any


class FrontMatterError(Exception):
    """A problem with a position; turned into a Finding by the caller."""

    def __init__(self, rule: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.col = col

    def finding(self, path: str) -> Finding:
        return Finding(path, self.line, self.col, "error", self.rule, self.message)


@dataclass(frozen=True)
class Split:
    """An article text split in two. ``yaml_line`` is the file line of the first YAML line."""

    yaml_text: str
    body: str
    yaml_line: int
    body_line: int


def decode(data: bytes) -> str:
    """Strict UTF-8 (a BOM is accepted and dropped), CRLF to LF; NUL refused."""
    if len(data) > MAX_FILE_BYTES:
        raise FrontMatterError(
            "file-too-large",
            # the reader stops one byte past the limit: the size itself is not known here
            f"file is larger than {MAX_FILE_BYTES:,} bytes, the limit for an article",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FrontMatterError(
            "encoding", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line, col,
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise FrontMatterError("encoding", "file contains a NUL byte", line, 1)
    return text.replace("\r\n", "\n")


# A line that starts with a YAML document marker (``---`` or ``...`` then a blank or the end)
# inside the front matter would begin a second YAML document, whatever follows it.
_DOC_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|$)")


def split(text: str) -> Split:
    """Split ``---`` front matter from the body. The closing line is ``---`` or ``...``.

    The one splitter every reader uses (validation, digest, round-trip rewrite, publish),
    so front matter means one thing everywhere. It refuses, with the line: a document
    marker inside the front matter (``--- # …``, ``... x``: a second YAML document that
    one parser keeps and another drops), and any control character, line or paragraph
    separator or bidirectional control in it (:mod:`reviewkit.base.printable`; YAML reads
    U+0085, U+2028, U+2029 and CR as line breaks, the line counter does not).
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip(" \t") != "---":
        raise FrontMatterError(
            "front-matter", "file does not start with '---' front matter", 1, 1
        )
    for i in range(1, len(lines)):
        line = lines[i]
        if line.rstrip(" \t") in ("---", "..."):
            yaml_text = "\n".join(lines[1:i]) + "\n"
            for ln, col, ch in printable.find(yaml_text):
                raise FrontMatterError(
                    "control-character",
                    f"{printable.describe(ch)} in the front matter: delete it "
                    "(it is invisible or moves text, so readers could see different values)",
                    ln + 1, col,
                )
            tab = yaml_text.find("\t")
            if tab >= 0:  # YAML parsers disagree about tabs next to indicators and scalars
                ln = yaml_text.count("\n", 0, tab) + 2
                raise FrontMatterError(
                    "front-matter", "tab in the front matter: indent with spaces: YAML does not "
                    "allow tabs (and parsers read them differently)", ln, tab - yaml_text.rfind("\n", 0, tab))
            body = "\n".join(lines[i + 1 :])
            return Split(yaml_text, body, yaml_line=2, body_line=i + 2)
        if _DOC_MARKER.match(line):
            raise FrontMatterError(
                "front-matter",
                f"'{printable.one_line(line[:40])}' starts a second YAML document inside the "
                "front matter; front matter is exactly one document: close it with a line "
                "'---' alone, and remove other lines starting with '---' or '...'",
                i + 1, 1,
            )
    raise FrontMatterError(
        "front-matter", "front matter is not closed: add a line '---' after it", 1, 1
    )


_safe_yaml: Any = None


def _safe_loader() -> Any:
    global _safe_yaml
    if _safe_yaml is None:
        from ruamel.yaml import YAML

        y = YAML(typ="safe")  # C parser when ruamel.yaml.clib is installed
        y.allow_duplicate_keys = False
        _safe_yaml = y
    return _safe_yaml


def _yaml_error(exc: Exception, line_offset: int) -> FrontMatterError:
    from ruamel.yaml.constructor import DuplicateKeyError

    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = (mark.line + line_offset) if mark is not None else line_offset
    col = (mark.column + 1) if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, DuplicateKeyError):
        return FrontMatterError("yaml-duplicate-key", str(problem).split(" with value")[0], line, col)
    context = getattr(exc, "context", None)
    msg = f"{context}: {problem}" if context else str(problem)
    cmark = getattr(exc, "context_mark", None)
    if context and cmark is not None and mark is not None and cmark.line != mark.line:
        msg += f" (started at line {cmark.line + line_offset}, column {cmark.column + 1})"
    if "could not determine a constructor" in msg:
        return FrontMatterError("yaml-tag", f"YAML tag not allowed: {msg}", line, col)
    return FrontMatterError("yaml-syntax", f"invalid YAML: {msg}{yaml_advice(msg)}", line, col)


_ADVICE = (
    ("mapping values are not allowed",
     'a value that contains ": " must be quoted, e.g. title: "Fear of intimacy: causes"'),
    ("tab character", "indent with spaces: YAML does not allow tabs"),
    ("cannot start any token",
     "indent with spaces: YAML does not allow tabs; quote a value that starts with @ or `"),
    ("found unexpected end of stream", "a quoted value is not closed: add the closing quote"),
    ("did not find expected key",
     "check the indentation (spaces only; the keys of one mapping line up), and quote a "
     'value that starts with a quote or contains ": "'),
    ("parsing a flow", 'a list in [ ] or a mapping in { } is not closed, or an item of it '
     'that contains ",", ": " or "#" needs quotes'),
    ("did not find expected", 'quote a value that contains ": ", "#" or starts with a quote'),
)


def yaml_advice(message: str) -> str:
    """The usual fix for a YAML syntax error, as a clause to append (or "")."""
    for needle, fix in _ADVICE:
        if needle in message:
            return f" — {fix}"
    return ""


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset({
    "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
})
_resolve_first: frozenset[str] | None = None
# Plain scalars that YAML 1.2 (core schema + timestamps, as ruamel.yaml resolves them) may
# read as something other than a string: numbers, dates, .inf/.nan, ~, <<, = and a few
# words. Anything else is a string without asking the resolver (property-tested).
_MAYBE_NOT_STR = frozenset("0123456789+-.~<=")
_WORDS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"})
# plain scalar text → (its immutable JSON value, read as a string); resolution at YAML 1.2
# depends on nothing else
_plain_values: dict[str, tuple[Any, bool]] = {}


def _events(text: str) -> Any:
    """The C parser's events, without ruamel.yaml's per-call bookkeeping; the stream's
    end is not given (it carries nothing)."""
    try:
        from _ruamel_yaml import CParser  # type: ignore[import-not-found]
    except ImportError:  # no C extension: the same events from the pure-Python parser
        yield from _safe_loader().parse(text)
        return
    from ruamel.yaml.events import StreamEndEvent

    parser = CParser(text)
    get, end = parser.get_event, StreamEndEvent
    try:
        while type(event := get()) is not end:
            yield event
    finally:
        parser.dispose()


def load_yaml(text: str, line_offset: int = 1) -> JSON:
    """Safe-load YAML 1.2 straight into plain JSON values.

    Builds the values from the C parser's event stream: ruamel.yaml's own resolver and
    constructor decide every plain scalar that could be more than a string (so values are
    exactly what the plain ruamel.yaml safe load gives: the property tests compare them
    through ``tests/yaml_reference.py``), while strings and collections skip
    the composer, about three times faster. Refused, with the line and column: aliases,
    merge keys, tags outside the core schema, ``%YAML``/``%TAG`` directives, duplicate
    and non-string keys, NaN and infinity, nesting deeper than :data:`MAX_DEPTH`.
    ``line_offset`` is the file line of the text's first line (for messages).
    """
    builder = _Builder(text, line_offset)
    feed = builder.feed
    try:
        for e in _events(text):
            feed(e)
    except FrontMatterError:
        raise
    except Exception as exc:
        raise _parser_error(exc, line_offset) from None
    return builder.root


def _short_tag(tag: Any) -> str:
    return str(tag).replace("tag:yaml.org,2002:", "!!")


class _Builder:
    """Plain JSON values from one YAML event stream (see :func:`load_yaml`)."""

    def __init__(self, text: str, line_offset: int) -> None:
        global _resolve_first
        from ruamel.yaml import events as ev
        from ruamel.yaml.nodes import ScalarNode

        self.node_type = ScalarNode
        y = _safe_loader()
        self.resolver, self.constructor = y.resolver, y.constructor
        if _resolve_first is None:
            # first characters for which YAML 1.2 resolution can give anything but a string
            _resolve_first = frozenset(self.resolver.versioned_resolver.keys())
        self.first = _resolve_first
        self.ev = ev
        self.text = text
        self.line_offset = line_offset
        self.root: JSON = None
        self.stack: list[list[Any]] = []  # each frame: [container, pending key, key mark]
        self.count = 0
        self.documents = 0

    def fail(self, rule: str, msg: str, mark: Any) -> FrontMatterError:
        line = mark.line + self.line_offset if mark is not None else self.line_offset
        col = mark.column + 1 if mark is not None else 1
        return FrontMatterError(rule, msg, line, col)

    def scalar(self, e: Any) -> tuple[JSON, bool]:
        """The value, and whether YAML reads it as a string (a date is not, though its
        JSON value is an ISO string)."""
        value: str = e.value
        if e.tag is not None:
            # any tag, even !!str or the non-specific '!': the safe loader and the
            # round-trip loader give different values; front matter never needs one
            short = _short_tag(e.tag)
            what = ("merge keys (<<) are not allowed in front matter" if short == "!!merge"
                    else f"YAML tag not allowed in front matter: {short}; quote the value instead")
            raise self.fail("yaml-tag", what, e.start_mark)
        if not e.implicit[0]:
            if e.style in ("|", ">"):
                self.block_header(e)
            return value, True  # quoted or block scalar: a string
        if value and value[0] not in _MAYBE_NOT_STR and value not in _WORDS:
            return value, True  # YAML 1.2 cannot read this plain scalar as anything but a string
        if value and value[0] not in self.first:
            return value, True
        if value in _plain_values:  # dates, years, numbers repeat across articles
            return _plain_values[value]
        tag = str(self.resolver.resolve(self.node_type, value, (True, False)))
        resolved = (self.construct(tag, value, e), tag == _STR)
        if len(_plain_values) < 8192:
            _plain_values[value] = resolved
        return resolved

    def block_header(self, e: Any) -> None:
        # the header of | and > ends with a blank or the line end; libyaml also takes
        # '|#' or '>\t', which the pure-Python (round-trip) parser refuses
        text = self.text
        i = e.start_mark.index + 1
        while i < len(text) and text[i] in "123456789+-":
            i += 1
        if i < len(text) and text[i] not in " \n":
            raise self.fail("yaml-syntax", "invalid YAML: a block scalar indicator (| or >) "
                            "must be followed by a space or the end of the line", e.start_mark)

    def construct(self, tag: str, value: str, e: Any) -> JSON:
        if tag == _STR:
            return value
        if tag not in _SCALAR_TAGS:
            short = _short_tag(tag)
            what = ("merge keys (<<) are not allowed in front matter" if short == "!!merge"
                    else f"YAML tag not allowed in front matter: {short}")
            raise self.fail("yaml-tag", what, e.start_mark)
        node = self.node_type(tag, value, start_mark=e.start_mark)
        constructor = self.constructor
        try:
            data = constructor.construct_object(node, deep=True)
        finally:  # the constructor remembers nodes per document; this is no document
            constructor.constructed_objects.pop(node, None)
        try:
            return _json_scalar(data)
        except ValueError as exc:
            raise self.fail("yaml-type", str(exc), e.start_mark) from None

    def add(self, value: JSON, e: Any, is_container: bool, is_str: bool = True) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is None:
            if is_container or not isinstance(value, str) or not is_str:
                shown = "a mapping or list" if is_container else repr(value)
                raise self.fail("yaml-type", f"key {shown} is not a string", e.start_mark)
            if value in container:
                raise self.fail("yaml-duplicate-key", f'found duplicate key "{value}"',
                                e.start_mark)
            frame[1] = value
        else:
            container[frame[1]] = value
            frame[1] = None

    def feed(self, e: Any) -> None:
        """Take one parser event."""
        ev = self.ev
        kind = type(e)
        if kind is ev.ScalarEvent:  # three events in four: tested first
            if e.anchor is not None:
                raise self._anchor(e)
            self.count += 1
            if self.count > MAX_NODES:
                raise self.fail("yaml-size", f"front matter has more than {MAX_NODES:,} values",
                                e.start_mark)
            value, is_str = self.scalar(e)
            self.add(value, e, False, is_str)
        elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            self.stack.pop()
        elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
            if e.anchor is not None:
                raise self._anchor(e)
            self.open(e, kind is ev.MappingStartEvent)
        elif kind is ev.AliasEvent:
            raise self._anchor(e)
        elif kind is ev.DocumentStartEvent:
            if e.version or e.tags:
                raise self.fail("yaml-syntax", "%YAML and %TAG directives are not supported",
                                e.start_mark)
            self.documents += 1
            if self.documents > 1 or getattr(e, "explicit", False):
                # split() refuses the marker lines; this holds for any other caller
                raise self.fail("front-matter", "front matter is exactly one YAML document; "
                                "remove the document marker ('---' or '...')", e.start_mark)
        elif getattr(e, "anchor", None) is not None:  # pragma: no cover - no other event has one
            raise self._anchor(e)

    def _anchor(self, e: Any) -> FrontMatterError:
        # an anchor alone changes nothing to the safe loader but makes the round-trip
        # loader keep a tagged object (and aliases are refused)
        return self.fail("yaml-alias", "YAML anchors and aliases are not allowed", e.start_mark)

    def open(self, e: Any, is_map: bool) -> None:
        if e.tag is not None:
            raise self.fail("yaml-tag", f"YAML tag not allowed in front matter: "
                            f"{_short_tag(e.tag)}", e.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail("yaml-depth", f"front matter is nested deeper than {MAX_DEPTH} levels",
                            e.start_mark)
        container: Any = {} if is_map else []
        self.add(container, e, True)
        self.stack.append([container, None, None])


def _parser_error(exc: Exception, line_offset: int) -> FrontMatterError:
    """What a YAML parser's exception means for the user, with its position."""
    if isinstance(exc, RecursionError):
        return FrontMatterError("yaml-depth", "YAML is nested too deeply", line_offset, 1)
    if exc.__class__.__module__.startswith("ruamel"):  # ruamel raises several unrelated types
        return _yaml_error(exc, line_offset)
    return FrontMatterError("yaml-syntax", f"invalid YAML: {exc}", line_offset, 1)


def _json_scalar(value: Any) -> JSON:
    """A constructed YAML scalar as JSON: dates and times as ISO 8601 (UTC, no offset)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValueError("NaN and infinity are not allowed")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _roundtrip() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.allow_duplicate_keys = False
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load_roundtrip(text: str) -> Any:
    """Round-trip load (slow; keeps comments and positions). Only for files that need it."""
    return _roundtrip().load(text)


def update(text: str, updates: Mapping[str, Any], *, remove: tuple[str, ...] = ()) -> str:
    """Rewrite an article's front matter, keeping comments, key order and quoting.

    New keys are appended; ``text`` must have front matter (CRLF is normalised).
    """
    parts = split(text.replace("\r\n", "\n"))
    y = _roundtrip()
    data = y.load(parts.yaml_text)
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    for k in remove:
        if k in data:
            del data[k]
    for k, v in updates.items():
        data[k] = v
    buf = io.StringIO()
    y.dump(data, buf)
    return "---\n" + buf.getvalue() + "---\n" + parts.body
