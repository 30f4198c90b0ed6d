"""pydantic models of reviewkit's data: articles, configuration, registry, events, states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

EVENT_KINDS = ("submitted", "approved", "changes_requested", "commented", "withdrawn")
DECIDING_KINDS = frozenset({"approved", "changes_requested", "withdrawn"})
EventKind = Literal["submitted", "approved", "changes_requested", "commented", "withdrawn"]
State = Literal["draft", "in_review", "changes_requested", "approved", "stale", "expired", "invalid"]
STATES: tuple[State, ...] = (
    "invalid", "changes_requested", "stale", "expired", "in_review", "draft", "approved",
)


class Author(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    email: str


class Citation(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    url: str | None = None
    publisher: str | None = None
    year: int | None = None


class FrontMatter(BaseModel):
    """The front-matter fields reviewkit relies on; a publication's schema may add more."""

    model_config = ConfigDict(extra="allow")
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

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "blob": self.blob, "id": self.id, "title": self.title,
                "slug": self.slug, "draft": self.draft, "digest": self.digest,
                "author_email": self.author_email, "topics": list(self.topics),
                "bylines": [list(b) for b in self.bylines]}

    @classmethod
    def from_dict(cls, d: dict[str, Any], path: str) -> ArticleSummary:
        return cls(path=path, blob=str(d["blob"]), id=d.get("id"), title=d.get("title"),
                   slug=d.get("slug"), draft=bool(d.get("draft")), digest=d.get("digest"),
                   author_email=d.get("author_email"), topics=tuple(d.get("topics") or ()),
                   bylines=tuple((int(b[0]), str(b[1])) for b in d.get("bylines") or ()))


class Article(BaseModel):
    """An article as read from the work tree. ``front_matter`` is the plain JSON form."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    path: str  # relative to the repository root, '/'-separated
    blob: str  # git blob id of the bytes read
    meta: FrontMatter
    front_matter: dict[str, Any]
    body: str
    body_line: int
    digest: str


# --- configuration -------------------------------------------------------------------------


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approvals_required: int = Field(1, ge=1)
    accepted_credentials: list[str] = Field(
        default_factory=lambda: ["LPC", "LCSW", "LMFT", "PsyD", "PhD", "MD", "DO", "NP"]
    )
    topic_credentials: dict[str, list[str]] = Field(default_factory=dict)
    max_age_days: int = Field(365, ge=1)
    allow_self_approval: bool = False
    clock_skew_seconds: int = Field(300, ge=0)


class Config(BaseModel):
    """reviewkit.yaml."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    content: list[str] = Field(default_factory=lambda: ["content/articles"])
    schema_path: str = Field("schemas/article.schema.json", alias="schema")
    event_schema: str = "schemas/review-event.schema.json"
    registry: str = "reviewers.yaml"
    policy: Policy = Field(default_factory=lambda: Policy())
    rules: dict[str, Any] = Field(default_factory=dict)

    @field_validator("content", "schema_path", "event_schema", "registry")
    @classmethod
    def _relative(cls, v: Any) -> Any:
        for p in v if isinstance(v, list) else [v]:
            parts = p.replace("\\", "/").split("/")
            if p.startswith("/") or ".." in parts:
                raise ValueError(f"{p!r} must be a path inside the repository")
        return v


# --- registry ------------------------------------------------------------------------------

Role = Literal["editor", "clinical_reviewer", "admin"]


class Credential(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    license: str | None = None
    region: str | None = None
    expires: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.expires is None or day <= self.expires


class PublicKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    valid_after: dt.datetime | None = None
    valid_before: dt.datetime | None = None


class Reviewer(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str
    email: str
    roles: list[Role] = Field(default_factory=list)
    credentials: list[Credential] = Field(default_factory=list)
    keys: list[PublicKey] = Field(default_factory=list)

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"key": k} if isinstance(k, str) else k for k in v]
        return v

    def byline(self, credential: Credential | None = None) -> str:
        cred = credential or (self.credentials[0] if self.credentials else None)
        return f"{self.name}, {cred.type}" if cred else self.name


class Registry(BaseModel):
    model_config = ConfigDict(extra="allow")
    reviewers: list[Reviewer] = Field(default_factory=list)
    _by_id: dict[str, Reviewer] | None = PrivateAttr(default=None)

    def get(self, reviewer_id: str) -> Reviewer | None:
        if self._by_id is None:
            self._by_id = {}
            for r in self.reviewers:
                self._by_id.setdefault(r.id, r)
        return self._by_id.get(reviewer_id)

    def by_email(self, email: str) -> Reviewer | None:
        email = email.strip().lower()
        for r in self.reviewers:
            if r.email.strip().lower() == email:
                return r
        return None


# --- events --------------------------------------------------------------------------------


class ReviewEvent(BaseModel):
    """One review event; stored as canonical JSON at ``name`` on refs/reviewkit/events."""

    # Mirrors schemas/review-event.schema.json and is never looser than it (strict types,
    # anchored patterns, every schema-required field required): reading validates with
    # this model first and asks jsonschema only to explain a failure. A property test
    # checks "accepted here ⇒ accepted by the schema".
    model_config = ConfigDict(extra="forbid", strict=True)
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

    @property
    def when(self) -> dt.datetime:
        return parse_time(self.at)

    def signed_payload(self) -> bytes:
        """The bytes a signature covers: canonical JSON of the event without ``sig``."""
        from reviewkit.digest import canonical_json

        return canonical_json(self.model_dump(exclude={"sig"}, exclude_none=True))

    def file_name(self) -> str:
        stamp = self.when.strftime("%Y%m%dT%H%M%S.%fZ")
        return f"{self.article}/{stamp}-{self.event}-{self.actor}-{self.nonce}.json"


def parse_time(value: str) -> dt.datetime:
    """Parse an ISO-8601 UTC time (``Z`` or an offset); naive times are taken as UTC."""
    t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc)


def format_time(t: dt.datetime) -> str:
    """UTC with microseconds: events in the same second still have an order."""
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
