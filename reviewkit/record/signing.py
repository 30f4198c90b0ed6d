"""SSH signatures for review events: the public names of signing and verification.

Verification has exactly the meaning of ``ssh-keygen -Y verify`` with an allowed-signers
file built from the registry, the principal (``-I``) and namespace (``-n``) pinned and the
key validity judged at a given time (``-O verify-time``).
:func:`verify_with_ssh_keygen` runs that command and is the reference; :func:`verify` does
the same in-process with ``cryptography`` (fast enough for thousands of events) and must
agree with it. The work is split by concern:

- :mod:`reviewkit.record.sshsig`: the SSHSIG wire format, public keys, the signature check;
- :mod:`reviewkit.record.allowed_signers`: principals, namespaces, validity windows;
- :mod:`reviewkit.record.ssh_keygen`: running ``ssh-keygen`` (version, sign, reference verify).

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reviewkit.record.allowed_signers import (
    AllowedKey,
    _check_at,
    _day,
    _usable_keys,
    _valid_at,
    _window_text,
    allowed_signers_line,
    valid_principal,
)
from reviewkit.record.ssh_keygen import (
    MIN_OPENSSH,
    require_signing_support,
    sign,
    ssh_keygen_version,
    verify_with_ssh_keygen,
)
from reviewkit.record.sshsig import (
    _IN_PROCESS_TYPES,
    NAMESPACE,
    Verification,
    _check_crypto,
    _Malformed,
    _parse_signature,
    fingerprint,
    parse_public_key,
)

__all__ = [
    "NAMESPACE",
    "MIN_OPENSSH",
    "AllowedKey",
    "Verification",
    "ssh_keygen_version",
    "require_signing_support",
    "sign",
    "verify",
    "verify_with_ssh_keygen",
    "fingerprint",
    "parse_public_key",
    "allowed_signers_line",
    "valid_principal",
]


def verify(
    message: bytes,
    signature: str,
    principal: str,
    keys: Sequence[AllowedKey],
    at: datetime,
) -> Verification:
    """Verify an SSHSIG signature in-process, with the meaning of::

        ssh-keygen -Y verify -f ALLOWED -I principal -n reviewkit -O verify-time=AT -s SIG

    where ALLOWED is built from ``keys`` by :func:`allowed_signers_line`. Never raises on
    a bad signature (garbage, truncated, wrong armor, empty): the result says why. Raises
    ``ValueError`` only for a naive ``at`` (a programming error). Security-key (sk-*)
    signatures are checked by ssh-keygen once the key and window have matched.
    """
    t = _check_at(at)
    if not isinstance(signature, str) or not signature.strip():
        return Verification(False, "not signed", None)
    try:
        sig = _parse_signature(signature)
    except _Malformed as exc:
        return Verification(False, exc.reason, exc.fingerprint)
    fp = sig.fingerprint
    if sig.namespace != NAMESPACE:
        return Verification(False, f"signed for namespace {sig.namespace!r}, not {NAMESPACE!r}", fp)
    if not valid_principal(principal):
        return Verification(False, f"{principal!r} is not a usable reviewer id", fp)
    if t <= 0:
        return Verification(False, "the verification time is before 1970", fp)
    usable = [(k, blob) for k, blob in _usable_keys(keys) if valid_principal(k.principal)]
    matching = [k for k, blob in usable if k.principal == principal and blob == sig.key_blob]
    if not matching:
        owners = sorted({k.principal for k, blob in usable if blob == sig.key_blob})
        reason = f"signed by key {fp} which is not registered for {principal}"
        if owners:
            reason += f" (it is registered for {', '.join(owners)})"
        return Verification(False, reason, fp)
    valid = [k for k in matching if _valid_at(k, t)]
    if not valid:
        return Verification(
            False,
            f"key {fp} of {principal} is not valid on {_day(at)} ({_window_text(matching[0])})",
            fp,
        )
    if sig.key_type in _IN_PROCESS_TYPES:
        good = _check_crypto(sig, message)
    else:
        good = verify_with_ssh_keygen(message, signature, principal, valid[:1], at).ok
    if not good:
        return Verification(
            False, "signature does not match the content (altered after signing?)", fp
        )
    return Verification(True, "", fp)

