"""Who an email address names: one canonical form, so equal people compare equal.

Self-approval is judged on identities, not strings. ``D.Whitfield+worry@EXAMPLE.org``,
``d.whitfield@example.org`` and ``d.whitfield@xn--…`` (the punycode spelling of the same
domain) are one person. Addresses that only *look* like another one are refused outright
(:func:`email_problem`), so no canonical form has to guess: a local part outside ASCII, or
a domain mixing scripts (a Cyrillic ``е`` among Latin letters).

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

_LOCAL_OK = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-"
)


def _split(address: str) -> tuple[str, str] | None:
    address = address.strip()
    if address.count("@") != 1:
        return None
    local, domain = address.split("@")
    if not local or not domain:
        return None
    return local, domain


def _unicode_domain(domain: str) -> str | None:
    """The domain in Unicode (punycode labels decoded, NFKC, case-folded); None if invalid."""
    domain = unicodedata.normalize("NFKC", domain).casefold().rstrip(".")
    labels = domain.split(".")
    out = []
    for label in labels:
        if not label:
            return None
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                return None
            label = unicodedata.normalize("NFKC", label).casefold()
        out.append(label)
    return ".".join(out)


def _scripts(text: str) -> set[str]:
    """Unicode scripts of the letters in ``text`` (first word of each letter's name)."""
    out = set()
    for ch in text:
        if ch.isalpha():
            out.add(unicodedata.name(ch, "UNKNOWN").split(" ")[0])
    return out


@functools.lru_cache(maxsize=4096)  # pure; a catalogue has few authors and many articles
def email_problem(address: str) -> str | None:
    """Why ``address`` cannot name a person unambiguously, or None when it can.

    Refused: not exactly one ``@``; a local part with anything but ASCII letters, digits
    and the usual punctuation (look-alike letters from other scripts); a domain that does
    not encode as IDNA, or whose letters mix scripts, also when written as punycode.
    """
    parts = _split(address)
    if parts is None:
        return f"'{address}' is not an email address (name@domain)"
    local, domain = parts
    bad = next((ch for ch in local if ch not in _LOCAL_OK), None)
    if bad is not None:
        return (f"the part before @ contains {_show(bad)}; only ASCII letters, digits and "
                ". _ - + are accepted (look-alike letters could impersonate someone)")
    udomain = _unicode_domain(domain)
    if udomain is None:
        return f"'{domain}' is not a valid domain name"
    scripts = _scripts(udomain)
    if len(scripts) > 1:
        return (f"the domain '{domain}' mixes scripts ({', '.join(sorted(s.title() for s in scripts))}); "
                "a look-alike domain could impersonate someone")
    try:
        udomain.encode("idna")
    except UnicodeError:
        return f"'{domain}' is not a valid domain name"
    return None


def _show(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def canonical_email(address: str) -> str:
    """One spelling per mailbox: ``+tag`` removed, case-folded, domain as IDNA ASCII.

    Total: an address :func:`email_problem` refuses still gets a form (case-folded, tag
    removed), so a comparison never raises.
    """
    parts = _split(address)
    if parts is None:
        return address.strip().casefold()
    local, domain = parts
    local = local.split("+", 1)[0].casefold()
    udomain = _unicode_domain(domain)
    if udomain is None:
        return f"{local}@{domain.casefold()}"
    try:
        ascii_domain = udomain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = udomain
    return f"{local}@{ascii_domain.casefold()}"


def same_person(emails: Iterable[str], others: Iterable[str]) -> bool:
    """Whether any address of ``emails`` names the same mailbox as any of ``others``."""
    mine = {canonical_email(e) for e in emails if e}
    return any(canonical_email(o) in mine for o in others if o)
