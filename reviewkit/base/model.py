"""The models of reviewkit's data: articles, configuration, registry, events, states.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from reviewkit.base.structs import (
    ConfigDict,
    Field,
    Model,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

EVENT_KINDS = ("submitted", "approved", "changes_requested", "commented", "withdrawn")
DECIDING_KINDS = frozenset({"approved", "changes_requested", "withdrawn"})
EventKind = Literal["submitted", "approved", "changes_requested", "commented", "withdrawn"]
State = Literal["draft", "in_review", "changes_requested", "approved", "stale", "expired",
                "invalid", "source_changed"]
STATES: tuple[State, ...] = (
    "invalid", "changes_requested", "stale", "expired", "source_changed", "in_review", "draft",
    "approved",
)


class Author(Model):
    model_config = ConfigDict(defer_build=True, extra="allow")
    name: str
    email: str


class Citation(Model):
    model_config = ConfigDict(defer_build=True, extra="allow")
    id: str
    title: str
    url: str | None = None
    publisher: str | None = None
    year: int | None = None


class FrontMatter(Model):
    """The front-matter fields reviewkit relies on; a publication's schema may add more."""

    model_config = ConfigDict(defer_build=True, extra="allow")
    id: str
    title: str
    slug: str
    description: str
    author: Author
    topics: list[str] = Field(default_factory=list)
    draft: bool = True
    updated: dt.date
    citations: list[Citation] = Field(default_factory=list)


@dataclass(frozen=True)
class ArticleSummary:
    """What the review decision needs of an article; small enough to cache by blob id.

    ``digest`` is None when the front matter is not valid (no digest is trusted then).
    """

    path: str
    blob: str
    id: str | None
    title: str | None
    slug: str | None
    draft: bool
    digest: str | None = None
    author_email: str | None = None
    topics: tuple[str, ...] = ()
    # (line, name) of each "Clinically reviewed by NAME" typed into the body (byline.py)
    bylines: tuple[tuple[int, str], ...] = ()
    # translations (docs/guide/translations.md): the front matter's `lang` as written
    # (None: the publication's default), the source article's id and the source version
    # translated; None when absent or not well formed (the finding says why)
    lang: str | None = None
    translation_of: str | None = None
    source_digest: str | None = None
    translation_line: int = 1  # the line of `translation_of`, for findings

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "blob": self.blob, "id": self.id, "title": self.title,
                "slug": self.slug, "draft": self.draft, "digest": self.digest,
                "author_email": self.author_email, "topics": list(self.topics),
                "bylines": [list(b) for b in self.bylines], "lang": self.lang,
                "translation_of": self.translation_of, "source_digest": self.source_digest,
                "translation_line": self.translation_line}

    @classmethod
    def from_dict(cls, d: dict[str, Any], path: str) -> ArticleSummary:
        return cls(path=path, blob=str(d["blob"]), id=d.get("id"), title=d.get("title"),
                   slug=d.get("slug"), draft=bool(d.get("draft")), digest=d.get("digest"),
                   author_email=d.get("author_email"), topics=tuple(d.get("topics") or ()),
                   bylines=tuple((int(b[0]), str(b[1])) for b in d.get("bylines") or ()),
                   lang=d.get("lang"), translation_of=d.get("translation_of"),
                   source_digest=d.get("source_digest"),
                   translation_line=int(d.get("translation_line") or 1))


class Article(Model):
    """An article as read from the work tree. ``front_matter`` is the plain JSON form."""

    model_config = ConfigDict(defer_build=True, arbitrary_types_allowed=True)
    path: str  # relative to the repository root, '/'-separated
    blob: str  # git blob id of the bytes read
    meta: FrontMatter
    front_matter: dict[str, Any]
    body: str
    body_line: int
    digest: str


# --- configuration -------------------------------------------------------------------------


class TranslationPolicy(Model):
    """``policy.translations`` in reviewkit.yaml."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    # a translation whose source was re-approved since: keep serving its approved version
    # with a warning until it is re-approved (default), or withdraw it (gate fails, publish
    # holds it back)
    source_changed: Literal["keep", "withdraw"] = "keep"
    # also require a language review: an approval of the same version by a reviewer with
    # the `linguist` role who reads the translation's lang (docs/guide/translations.md)
    linguistic_review: bool = False
    # may one person's approval be both the clinical sign-off and the language review (a
    # reviewer holding both roles)? Default: no, two different people
    one_reviewer_for_both: bool = False


class Policy(Model):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    approvals_required: int = Field(default=1, ge=1)
    accepted_credentials: list[str] = Field(
        default_factory=lambda: ["LPC", "LCSW", "LMFT", "PsyD", "PhD", "MD", "DO", "NP"]
    )
    topic_credentials: dict[str, list[str]] = Field(default_factory=dict)
    # bounded so that no date arithmetic on an event of the accepted range can overflow
    max_age_days: int = Field(default=365, ge=1, le=36500)
    allow_self_approval: bool = False
    clock_skew_seconds: int = Field(default=300, ge=0, le=366 * 86400)
    # what publish does with an article whose approval is older than max_age_days:
    # withdraw it from the bundle (default), or keep serving it with a warning
    expired: Literal["withdraw", "keep"] = "withdraw"
    translations: TranslationPolicy = Field(default_factory=lambda: TranslationPolicy())
    # the language of articles without `lang` (publish.lang; set by Config): what a
    # reviewer without `languages` reads
    _default_lang: str = PrivateAttr(default="en")

    @property
    def default_lang(self) -> str:
        return self._default_lang


class PublishSettings(Model):
    """``publish:`` in reviewkit.yaml: what the bundle's pages say about themselves."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    lang: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


DEFAULT_ASSETS = ("png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "pdf")
# Markdown by another name: never an asset (they would be unreviewed articles)
ARTICLE_LIKE = frozenset({"md", "markdown", "mdx", "mdown", "mkd", "mkdn", "mdwn", "mdtxt",
                          "mdtext", "rmd", "qmd", "txt", "html", "htm"})


class Config(Model):
    """reviewkit.yaml."""

    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)
    content: list[str] = Field(default_factory=lambda: ["content/articles"])
    schema_path: str = Field(default="schemas/article.schema.json", alias="schema")
    registry: str = "reviewers.yaml"
    policy: Policy = Field(default_factory=lambda: Policy())
    rules: dict[str, Any] = Field(default_factory=dict)
    # file extensions under a content root that are not articles and not findings
    assets: list[str] = Field(default_factory=lambda: list(DEFAULT_ASSETS))

    @field_validator("assets")
    @classmethod
    def _assets(cls, v: list[str]) -> list[str]:
        out = []
        for ext in v:
            e = ext.strip().lower().removeprefix(".")
            if not e or "/" in e or e.startswith("."):
                raise ValueError(f"assets: {ext!r} is not a file extension (e.g. png)")
            if e in ARTICLE_LIKE:
                raise ValueError(f"assets: {ext!r} is Markdown; under a content root it must be "
                                 "an article (.md) or a finding, never an asset")
            out.append(e)
        return out
    publish: PublishSettings = Field(default_factory=lambda: PublishSettings())

    @model_validator(mode="after")
    def _default_lang(self) -> Config:
        self.policy._default_lang = self.publish.lang
        return self

    @field_validator("content", "schema_path", "registry")
    @classmethod
    def _relative(cls, v: Any) -> Any:
        for p in v if isinstance(v, list) else [v]:
            parts = p.replace("\\", "/").split("/")
            if p.startswith("/") or ".." in parts:
                raise ValueError(f"{p!r} must be a path inside the repository")
        return v


# --- registry ------------------------------------------------------------------------------

# `linguist`: reviews translations for language (policy.translations.linguistic_review);
# never a clinical sign-off
Role = Literal["editor", "clinical_reviewer", "admin", "linguist"]
# a BCP 47 language tag as reviewkit accepts it (ASCII only: no look-alike letters)
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


class Credential(Model):
    model_config = ConfigDict(defer_build=True, extra="allow")
    type: str
    license: str | None = None
    region: str | None = None
    expires: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.expires is None or day <= self.expires


class PublicKey(Model):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    key: str
    valid_after: dt.datetime | None = None
    valid_before: dt.datetime | None = None

    @model_validator(mode="after")
    def _open_ends(self) -> PublicKey:
        # Every accepted event time lies in [MIN_TIME, MAX_TIME): a bound outside it (e.g.
        # valid_after 0001-01-01, valid_before 9999-12-31) is the same as no bound, and as
        # none it cannot overflow a computation.
        after, before = _aware(self.valid_after), _aware(self.valid_before)
        if after is not None and after < MIN_TIME:
            self.valid_after = None
        if before is not None and before >= MAX_TIME:
            self.valid_before = None
        return self


class Reviewer(Model):
    model_config = ConfigDict(defer_build=True, extra="allow")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str
    email: str
    emails: list[str] = Field(default_factory=list)  # further addresses of the same person
    roles: list[Role] = Field(default_factory=list)
    credentials: list[Credential] = Field(default_factory=list)
    keys: list[PublicKey] = Field(default_factory=list)
    # BCP 47 tags of the languages this person reviews in; None: the publication's default
    languages: list[str] | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        for tag in v:
            if not isinstance(tag, str) or not re.fullmatch(LANG_PATTERN, tag, re.ASCII):
                raise ValueError(f"languages: {tag!r} is not a language tag (BCP 47: en, es, "
                                 "pt-BR, …)")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        from reviewkit.base.identity import email_problem

        problem = email_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("emails")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        for address in v:
            cls._email(address)
        return v

    def all_emails(self) -> list[str]:
        """Every address registered for this person (``email`` first)."""
        return [self.email, *self.emails]

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"key": k} if isinstance(k, str) else k for k in v]
        return v

    def byline(self, credential: Credential | None = None) -> str:
        cred = credential or (self.credentials[0] if self.credentials else None)
        return f"{self.name}, {cred.type}" if cred else self.name


class Registry(Model):
    model_config = ConfigDict(defer_build=True, extra="allow")
    reviewers: list[Reviewer] = Field(default_factory=list)
    _by_id: dict[str, Reviewer] | None = PrivateAttr(default=None)

    def get(self, reviewer_id: str) -> Reviewer | None:
        by_id = self._by_id  # one read: a private attribute is slow to read
        if by_id is None:
            by_id = self._by_id = {}
            for r in self.reviewers:
                by_id.setdefault(r.id, r)
        return by_id.get(reviewer_id)

    def by_email(self, email: str) -> Reviewer | None:
        """The person one of whose registered addresses names the same mailbox as ``email``
        (compared as identities: :func:`reviewkit.base.identity.same_person`)."""
        from reviewkit.base.identity import same_person

        for r in self.reviewers:
            if same_person(r.all_emails(), [email]):
                return r
        return None


# --- events --------------------------------------------------------------------------------


class ReviewEvent(Model):
    """One review event; stored as canonical JSON at ``name`` on refs/reviewkit/events."""

    # Mirrors schemas/review-event.schema.json and is never looser than it (strict types,
    # anchored patterns, every schema-required field required): reading validates with
    # this model first and asks jsonschema only to explain a failure. A property test
    # checks "accepted here ⇒ accepted by the schema".
    model_config = ConfigDict(defer_build=True, extra="forbid", strict=True)
    v: Literal[1]
    event: EventKind
    article: str = Field(pattern=r"^[0-9A-Za-z-]{1,64}$")
    path: str = Field(min_length=1, max_length=1024)
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    blob: str = Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")
    commit: str = Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")
    actor: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    # UTC, ISO 8601 with Z, microseconds (format_time)
    at: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$")
    nonce: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    message: str = Field(max_length=20000)
    reviewer: str | None = None  # for `submitted`: the reviewer asked for, if any
    credential: str | None = None  # for `approved`: the credential type the approver signs as
    sig: str | None = Field(default=None, pattern=r"^-----BEGIN SSH SIGNATURE-----\n")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # the schema has no null anywhere: an explicit null is not "absent"
        if isinstance(data, dict):
            for k, val in data.items():
                if val is None:
                    raise ValueError(f"{k}: null is not allowed")
            if isinstance(data.get("v"), bool):  # True == 1 in Python, not in JSON Schema
                raise ValueError("v: must be the number 1")
        return data

    @model_validator(mode="after")
    def _signed_kinds(self, info: ValidationInfo) -> ReviewEvent:
        # an event is built unsigned (context {"unsigned": True}), then signed
        unsigned_ok = bool(info.context and info.context.get("unsigned"))
        if self.event in DECIDING_KINDS and self.sig is None and not unsigned_ok:
            raise ValueError("'sig' is a required property")
        return self

    @field_validator("at")
    @classmethod
    def _at_in_range(cls, v: str) -> str:
        check_time_range(parse_time(v), "at")
        return v

    @property
    def when(self) -> dt.datetime:
        return _event_time(self.at)

    def signed_payload(self) -> bytes:
        """The bytes a signature covers: canonical JSON of the event without ``sig``."""
        from reviewkit.base.digest import canonical_json

        return canonical_json(self.model_dump(exclude={"sig"}, exclude_none=True))

    def file_name(self) -> str:
        """Where this event is written on the events ref (:mod:`reviewkit.base.layout`)."""
        from reviewkit.base.layout import event_path

        return event_path(self.article, self._file())

    def file_names(self) -> tuple[str, str]:
        """Every name this event may be stored under: where it is written, and where the
        first layout wrote it (still read)."""
        from reviewkit.base.layout import event_path, legacy_path

        file = self._file()  # once: parse_event asks this of every event it reads
        return event_path(self.article, file), legacy_path(self.article, file)

    def _file(self) -> str:
        stamp = self.when.strftime("%Y%m%dT%H%M%S.%fZ")
        return f"{stamp}-{self.event}-{self.actor}-{self.nonce}.json"


_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?"
    r"(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?")
# Event times outside these bounds are refused (a clean ledger problem): every computation
# on an accepted time (± max_age_days, ± clock skew) stays inside datetime's range.
MIN_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MAX_TIME = dt.datetime(9000, 1, 1, tzinfo=dt.timezone.utc)


@functools.lru_cache(maxsize=4096)
def _event_time(at: str) -> dt.datetime:
    """``parse_time(at)``, remembered: ``when`` is read many times per event by the
    decision (keyed on the text: a copy of an event with another time stays right; a
    private attribute cost more to read than this lookup)."""
    return parse_time(at)


def parse_time(value: str) -> dt.datetime:
    """Parse an ISO-8601 time (``Z`` or an offset; 0–9 fractional digits, truncated to
    microseconds); naive times are taken as UTC. The same on every Python version
    (``fromisoformat`` accepts 1–5 fractional digits only from 3.11). ValueError when
    it is not such a time."""
    m = _TIME_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"not an ISO-8601 time: {value!r}")
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    micro = int((m.group(7) or "").ljust(6, "0")[:6] or 0)
    zone = m.group(8)
    tz = dt.timezone.utc
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"not an ISO-8601 time: {value!r}")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tz = dt.timezone(-offset if zone[0] == "-" else offset)
    t = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)  # ValueError
    try:
        return t.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValueError(f"time out of range: {value!r}") from None


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t


def check_time_range(t: dt.datetime, what: str) -> None:
    """ValueError unless ``t`` lies in [MIN_TIME, MAX_TIME)."""
    if not MIN_TIME <= t < MAX_TIME:
        raise ValueError(f"{what}: {t.date().isoformat()} is out of range "
                         f"(times must lie between {MIN_TIME.year} and {MAX_TIME.year - 1})")


def format_time(t: dt.datetime) -> str:
    """UTC with microseconds: events in the same second still have an order."""
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
