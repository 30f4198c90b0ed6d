"""Who may sign, and when: the allowed-signers rules of ``ssh-keygen -Y verify``.

A registry key becomes one allowed-signers line (principal, ``namespaces="reviewkit"``,
optional validity window). Validity windows follow ``sshsig.c``: a key is valid at ``t``
when ``valid_after <= t <= valid_before`` (both ends inclusive, whole seconds); a bound
equal to the epoch (0) counts as absent; a window with ``valid_before <= valid_after`` makes
the key never valid (ssh-keygen rejects such a line).

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from reviewkit.record.sshsig import NAMESPACE, parse_public_key

#: Reviewer ids usable as an allowed-signers principal without quoting or pattern meaning.
_PRINCIPAL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def valid_principal(principal: str) -> bool:
    """Whether ``principal`` can be a reviewer id in an allowed-signers file.

    Letters, digits and ``. _ @ + -``, starting with a letter or digit: no whitespace,
    quotes, commas or the pattern characters ``* ? !`` that ssh-keygen would interpret.
    """
    return isinstance(principal, str) and _PRINCIPAL_RE.fullmatch(principal) is not None



def _require_aware(value: datetime | None, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC)")
    utc = value.astimezone(timezone.utc)
    if utc <= _EPOCH:
        raise ValueError(f"{what} must be after 1970-01-01T00:00:00Z")
    return utc


@dataclass(frozen=True)
class AllowedKey:
    """One registry key of one reviewer, with its optional validity window (UTC)."""

    principal: str
    public_key: str
    valid_after: datetime | None = None
    valid_before: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "valid_after", _require_aware(self.valid_after, "valid_after"))
        object.__setattr__(self, "valid_before", _require_aware(self.valid_before, "valid_before"))


def _epoch_seconds(value: datetime) -> int:
    """Whole seconds since the epoch, rounded down, as ssh-keygen sees a timestamp."""
    delta = value.astimezone(timezone.utc) - _EPOCH
    return delta.days * 86400 + delta.seconds


def _ssh_time(value: datetime, utc_suffix: bool = True) -> str:
    stamp = value.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    return stamp + ("Z" if utc_suffix else "")


def _window_bounds(key: AllowedKey) -> tuple[int, int]:
    after = _epoch_seconds(key.valid_after) if key.valid_after else 0
    before = _epoch_seconds(key.valid_before) if key.valid_before else 0
    return after, before


def _valid_at(key: AllowedKey, t: int) -> bool:
    after, before = _window_bounds(key)
    if after and before and before <= after:
        return False  # ssh-keygen: "valid-before" time is before "valid-after"
    if after and t < after:
        return False
    return not (before and t > before)


def allowed_signers_line(key: AllowedKey, *, utc_suffix: bool = True) -> str:
    """The allowed-signers line for ``key`` (no trailing newline)::

        dwhitfield namespaces="reviewkit",valid-after="20260101000000Z" ssh-ed25519 AAAA…

    The key is re-encoded from its parsed blob (the comment is dropped), so a registry
    entry cannot inject options or extra lines. Times are UTC with a ``Z`` suffix
    (OpenSSH >= 9.1); with ``utc_suffix=False`` they are bare and must be read with
    ``TZ=UTC``. Raises ``ValueError`` for an unusable principal or key.
    """
    if not valid_principal(key.principal):
        raise ValueError(f"reviewer id {key.principal!r} cannot be used as a signing principal")
    key_type, blob = parse_public_key(key.public_key)
    options = [f'namespaces="{NAMESPACE}"']
    if key.valid_after is not None:
        options.append(f'valid-after="{_ssh_time(key.valid_after, utc_suffix)}"')
    if key.valid_before is not None:
        options.append(f'valid-before="{_ssh_time(key.valid_before, utc_suffix)}"')
    b64 = base64.b64encode(blob).decode("ascii")
    return f"{key.principal} {','.join(options)} {key_type} {b64}"



def _day(value: datetime) -> str:
    utc = value.astimezone(timezone.utc)
    if (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0):
        return utc.strftime("%Y-%m-%d")
    return utc.strftime("%Y-%m-%d %H:%M:%S UTC")


def _end(value: datetime) -> str:
    # always the time: a date-only valid_before ends at the START of that day, and
    # "until 2026-11-30" would read as "through the 30th"
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _window_text(key: AllowedKey) -> str:
    after, before = key.valid_after, key.valid_before
    if after and before:
        return f"valid from {_day(after)} to {_end(before)}"
    if after:
        return f"valid from {_day(after)}"
    if before:
        return f"valid until {_end(before)}"
    return "no validity window"


def _usable_keys(keys: Iterable[AllowedKey]) -> Iterator[tuple[AllowedKey, bytes]]:
    """Keys as ssh-keygen would read them from the file: unparsable entries are skipped."""
    for key in keys:
        try:
            _, blob = parse_public_key(key.public_key)
        except ValueError:
            continue
        yield key, blob


def _check_at(at: datetime) -> int:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("verification time must be a timezone-aware datetime")
    return _epoch_seconds(at)

