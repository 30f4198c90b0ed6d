"""SSH signatures for review events: signing with ``ssh-keygen -Y sign`` and verification.

Format: OpenSSH "SSHSIG" (PROTOCOL.sshsig), armored as ``-----BEGIN SSH SIGNATURE-----``,
always in the namespace ``reviewkit``. The blob is::

    byte[6]  "SSHSIG"            uint32 version (1)
    string   public key          string namespace
    string   reserved            string hash algorithm ("sha256" | "sha512")
    string   signature           (over the signed data below)

and the signed data is ``"SSHSIG" || string(namespace) || string("") || string(hashalg) ||
string(H(message))``.

Verification has exactly the meaning of ``ssh-keygen -Y verify`` with an allowed-signers
file built from the registry, the principal (``-I``) and namespace (``-n``) pinned and the
key validity judged at a given time (``-O verify-time``). :func:`verify_with_ssh_keygen`
runs that command and is the reference; :func:`verify` does the same in-process with
``cryptography`` (fast enough for thousands of events) and must agree with it.

Validity windows follow ``sshsig.c``: a key is valid at ``t`` when
``valid_after <= t <= valid_before`` (both ends inclusive, whole seconds); a bound equal to
the epoch (0) counts as absent; a window with ``valid_before <= valid_after`` makes the key
never valid (ssh-keygen rejects such a line).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from reviewkit.errors import EnvError, UsageError

__all__ = [
    "NAMESPACE",
    "MIN_OPENSSH",
    "AllowedKey",
    "Verification",
    "SignatureCache",
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

NAMESPACE = "reviewkit"
MIN_OPENSSH = (8, 8)
#: OpenSSH accepts a trailing ``Z`` (UTC) on times from 9.1 on; older ones get ``TZ=UTC``.
_UTC_SUFFIX_SINCE = (9, 1)

_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"
_MAGIC = b"SSHSIG"
_SIG_VERSION = 1
_HASHES = {"sha256", "sha512"}
_RSA_SIG_ALGS = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}
_RSA_MIN_BITS = 1024  # SSH_RSA_MINIMUM_MODULUS_SIZE
_RSA_MAX_BITS = 16384  # SSHBUF_MAX_BIGNUM * 8
_MAX_MPINT = 16384 // 8

_ED25519 = "ssh-ed25519"
_RSA = "ssh-rsa"
_ECDSA_CURVES: dict[str, tuple[str, ec.EllipticCurve, type[hashes.HashAlgorithm]]] = {
    "ecdsa-sha2-nistp256": ("nistp256", ec.SECP256R1(), hashes.SHA256),
    "ecdsa-sha2-nistp384": ("nistp384", ec.SECP384R1(), hashes.SHA384),
    "ecdsa-sha2-nistp521": ("nistp521", ec.SECP521R1(), hashes.SHA512),
}
_SK_ED25519 = "sk-ssh-ed25519@openssh.com"
_SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"
#: Key types verified in-process; the security-key (sk-*) types go to ssh-keygen.
_IN_PROCESS_TYPES = frozenset({_ED25519, _RSA, *_ECDSA_CURVES})
_KNOWN_TYPES = _IN_PROCESS_TYPES | {_SK_ED25519, _SK_ECDSA}

#: The order of the Ed25519 group; OpenSSH reduces S modulo L, OpenSSL rejects S >= L.
_ED25519_L = 2**252 + 27742317777372353535851937790883648493

#: Reviewer ids usable as an allowed-signers principal without quoting or pattern meaning.
_PRINCIPAL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}")
_B64_WS = " \t\n\r\v\f"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- wire format


class _WireError(ValueError):
    pass


class _Reader:
    """A cursor over an SSH wire-format buffer (RFC 4251 types)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def u32(self) -> int:
        if self._pos + 4 > len(self._data):
            raise _WireError("truncated")
        value = int.from_bytes(self._data[self._pos : self._pos + 4], "big")
        self._pos += 4
        return value

    def string(self) -> bytes:
        length = self.u32()
        if self._pos + length > len(self._data):
            raise _WireError("truncated")
        value = self._data[self._pos : self._pos + length]
        self._pos += length
        return value

    def cstring(self) -> str:
        raw = self.string()
        if b"\0" in raw:
            raise _WireError("text field contains a NUL byte")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _WireError("text field is not UTF-8") from exc

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise _WireError("negative number")
        if len(raw) > _MAX_MPINT + 1 or (len(raw) == _MAX_MPINT + 1 and raw[0] != 0):
            raise _WireError("number too large")
        return int.from_bytes(raw, "big")

    def skip(self, n: int) -> None:
        if self._pos + n > len(self._data):
            raise _WireError("truncated")
        self._pos += n

    def done(self) -> None:
        if self._pos != len(self._data):
            raise _WireError("trailing data")


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


# --------------------------------------------------------------------------- public keys


_PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey | None


def _load_key_blob(blob: bytes) -> tuple[str, _PublicKey]:
    """Parse and validate a public key blob: (type, key object or None for sk-* types)."""
    r = _Reader(blob)
    key_type = r.cstring()
    key: _PublicKey
    if key_type in (_ED25519, _SK_ED25519):
        pk = r.string()
        if len(pk) != 32:
            raise _WireError("Ed25519 key must be 32 bytes")
        key = Ed25519PublicKey.from_public_bytes(pk)
        if key_type == _SK_ED25519:
            r.string()  # application
            key = None
    elif key_type in _ECDSA_CURVES or key_type == _SK_ECDSA:
        curve_name, curve, _ = _ECDSA_CURVES[
            "ecdsa-sha2-nistp256" if key_type == _SK_ECDSA else key_type
        ]
        if r.cstring() != curve_name:
            raise _WireError("ECDSA curve does not match the key type")
        point = r.string()
        if not point or point[0] != 0x04:
            raise _WireError("ECDSA point must be uncompressed")
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
        except ValueError as exc:
            raise _WireError("ECDSA point is not on the curve") from exc
        if key_type == _SK_ECDSA:
            r.string()  # application
            key = None
    elif key_type == _RSA:
        e = r.mpint()
        n = r.mpint()
        bits = n.bit_length()
        if bits < _RSA_MIN_BITS:
            raise _WireError(f"RSA key of {bits} bits is too small (minimum {_RSA_MIN_BITS})")
        if bits > _RSA_MAX_BITS:
            raise _WireError(f"RSA key of {bits} bits is too large")
        try:
            key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise _WireError("invalid RSA key") from exc
    elif key_type.endswith("-cert-v01@openssh.com"):
        raise _WireError(f"certificates are not supported ({key_type})")
    else:
        raise _WireError(f"unsupported key type {key_type!r}")
    r.done()
    return key_type, key


@functools.lru_cache(maxsize=4096)
def _parse_public_key_cached(line: str) -> tuple[str, bytes]:
    fields = line.strip().split()
    if len(fields) < 2:
        raise ValueError("not an OpenSSH public key: expected 'TYPE BASE64 [comment]'")
    key_type, b64 = fields[0], fields[1]
    if key_type not in _KNOWN_TYPES:
        raise ValueError(f"unsupported key type {key_type!r}")
    try:
        blob = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"public key data is not valid base64 ({key_type})") from exc
    try:
        blob_type, _ = _load_key_blob(blob)
    except _WireError as exc:
        raise ValueError(f"malformed {key_type} public key: {exc}") from exc
    if blob_type != key_type:
        raise ValueError(f"public key says {key_type!r} but contains a {blob_type!r} key")
    return key_type, blob


def parse_public_key(line: str) -> tuple[str, bytes]:
    """Parse an OpenSSH public key line ``"TYPE BASE64 [comment]"``: (key type, wire blob).

    Supported types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (>= 1024 bits), and
    the security-key types sk-ssh-ed25519@openssh.com / sk-ecdsa-sha2-nistp256@openssh.com
    (verified through ssh-keygen). Raises ``ValueError`` with a readable message otherwise.
    """
    if not isinstance(line, str):
        raise ValueError("public key must be a string")
    return _parse_public_key_cached(line)


def _fingerprint_blob(blob: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def fingerprint(public_key: str) -> str:
    """``SHA256:<base64 without padding>`` of the key, as ``ssh-keygen -l`` prints it."""
    _, blob = parse_public_key(public_key)
    return _fingerprint_blob(blob)


def valid_principal(principal: str) -> bool:
    """Whether ``principal`` can be a reviewer id in an allowed-signers file.

    Letters, digits and ``. _ @ + -``, starting with a letter or digit: no whitespace,
    quotes, commas or the pattern characters ``* ? !`` that ssh-keygen would interpret.
    """
    return isinstance(principal, str) and _PRINCIPAL_RE.fullmatch(principal) is not None


# --------------------------------------------------------------------------- allowed keys


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


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one signature. ``reason`` is "" when ``ok``."""

    ok: bool
    reason: str
    fingerprint: str | None

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class _Signature:
    key_type: str
    key_blob: bytes
    key: _PublicKey
    namespace: str
    hashalg: str
    sig_blob: bytes

    @property
    def fingerprint(self) -> str:
        return _fingerprint_blob(self.key_blob)


class _Malformed(Exception):
    def __init__(self, reason: str, fingerprint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fingerprint = fingerprint


def _dearmor(signature: str) -> bytes:
    text = signature
    if not text.startswith(_BEGIN):
        raise _Malformed("malformed signature: it does not start with " + _BEGIN)
    text = text[len(_BEGIN) :]
    # OpenSSH < 9.5 requires exactly "\n" here; 9.5+ also takes "\r\n". Strict = fail closed.
    if not text.startswith("\n"):
        raise _Malformed("malformed signature: no line break after the header")
    text = text[1:]
    end = text.find("\n" + _END)
    if end < 0:
        raise _Malformed("malformed signature: the " + _END + " line is missing")
    body = text[:end]
    compact = "".join(ch for ch in body if ch not in _B64_WS)
    if not compact:
        raise _Malformed("malformed signature: it is empty")
    if not compact.isascii():
        raise _Malformed("malformed signature: invalid characters in the base64 body")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Malformed("malformed signature: the base64 body is corrupt") from exc
    if base64.b64encode(raw).decode("ascii") != compact:
        # OpenSSH's b64_pton also rejects non-zero padding bits and data after '='.
        raise _Malformed("malformed signature: the base64 body is corrupt")
    return raw


def _parse_signature(signature: str) -> _Signature:
    raw = _dearmor(signature)
    r = _Reader(raw)
    try:
        if raw[: len(_MAGIC)] != _MAGIC:
            raise _Malformed("malformed signature: not an SSHSIG signature")
        r.skip(len(_MAGIC))
        version = r.u32()
        if version > _SIG_VERSION:
            raise _Malformed(f"malformed signature: unsupported SSHSIG version {version}")
        key_blob = r.string()
    except _WireError as exc:
        raise _Malformed(f"malformed signature: {exc}") from exc
    fp = _fingerprint_blob(key_blob)
    try:
        key_type, key = _load_key_blob(key_blob)
        namespace = r.cstring()
        r.string()  # reserved; ignored like ssh-keygen does
        hashalg = r.cstring()
        sig_blob = r.string()
        r.done()
    except _WireError as exc:
        raise _Malformed(f"malformed signature: {exc}", fp) from exc
    except ValueError as exc:  # from cryptography key loading
        raise _Malformed(f"malformed signature: bad public key ({exc})", fp) from exc
    if hashalg not in _HASHES:
        raise _Malformed(f"malformed signature: unsupported hash algorithm {hashalg!r}", fp)
    return _Signature(key_type, key_blob, key, namespace, hashalg, sig_blob)


def _signed_data(namespace: str, hashalg: str, message: bytes) -> bytes:
    digest = hashlib.new(hashalg, message).digest()
    return (
        _MAGIC
        + _ssh_string(namespace.encode("utf-8"))
        + _ssh_string(b"")
        + _ssh_string(hashalg.encode("ascii"))
        + _ssh_string(digest)
    )


def _check_crypto(sig: _Signature, message: bytes) -> bool:
    """Whether ``sig.sig_blob`` is a valid signature by ``sig.key`` over the signed data."""
    data = _signed_data(sig.namespace, sig.hashalg, message)
    try:
        r = _Reader(sig.sig_blob)
        sig_type = r.cstring()
        if isinstance(sig.key, Ed25519PublicKey):
            raw = r.string()
            r.done()
            if sig_type != _ED25519 or len(raw) != 64 or raw[63] & 0xE0:
                return False
            s = int.from_bytes(raw[32:], "little")
            if s >= _ED25519_L:  # OpenSSH reduces S mod L; OpenSSL would refuse
                raw = raw[:32] + (s % _ED25519_L).to_bytes(32, "little")
            sig.key.verify(raw, data)
            return True
        if isinstance(sig.key, ec.EllipticCurvePublicKey):
            inner = _Reader(r.string())
            r.done()
            r_int, s_int = inner.mpint(), inner.mpint()
            inner.done()
            if sig_type != sig.key_type:
                return False
            hash_cls = _ECDSA_CURVES[sig.key_type][2]
            sig.key.verify(encode_dss_signature(r_int, s_int), data, ec.ECDSA(hash_cls()))
            return True
        if isinstance(sig.key, rsa.RSAPublicKey):
            raw = r.string()
            r.done()
            rsa_hash = _RSA_SIG_ALGS.get(sig_type)
            modlen = (sig.key.key_size + 7) // 8
            if rsa_hash is None or not raw or len(raw) > modlen:
                return False
            raw = raw.rjust(modlen, b"\0")
            sig.key.verify(raw, data, padding.PKCS1v15(), rsa_hash())
            return True
    except (InvalidSignature, _WireError, ValueError, OverflowError):
        return False
    return False


def _day(value: datetime) -> str:
    utc = value.astimezone(timezone.utc)
    if (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0):
        return utc.strftime("%Y-%m-%d")
    return utc.strftime("%Y-%m-%d %H:%M:%S UTC")


def _window_text(key: AllowedKey) -> str:
    after, before = key.valid_after, key.valid_before
    if after and before:
        return f"valid from {_day(after)} to {_day(before)}"
    if after:
        return f"valid from {_day(after)}"
    if before:
        return f"valid until {_day(before)}"
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


def verify(
    message: bytes,
    signature: str,
    principal: str,
    keys: Sequence[AllowedKey],
    at: datetime,
    cache: SignatureCache | None = None,
) -> Verification:
    """Verify an SSHSIG signature in-process, with the meaning of::

        ssh-keygen -Y verify -f ALLOWED -I principal -n reviewkit -O verify-time=AT -s SIG

    where ALLOWED is built from ``keys`` by :func:`allowed_signers_line`. Never raises on
    a bad signature (garbage, truncated, wrong armor, empty): the result says why. Raises
    ``ValueError`` only for a naive ``at`` (a programming error). Security-key (sk-*)
    signatures are checked by ssh-keygen once the key and window have matched.

    With ``cache``, a signature already proven valid for the same (signature, message,
    key) is not checked again; the principal and the validity window always are.
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
    cache_key = SignatureCache.entry_key(signature, message, sig.key_blob)
    if cache is not None and cache_key in cache:
        return Verification(True, "", fp)
    if sig.key_type in _IN_PROCESS_TYPES:
        good = _check_crypto(sig, message)
    else:
        good = verify_with_ssh_keygen(message, signature, principal, valid[:1], at).ok
    if not good:
        return Verification(
            False, "signature does not match the content (altered after signing?)", fp
        )
    if cache is not None:
        cache.add(cache_key)
    return Verification(True, "", fp)


# --------------------------------------------------------------------------- ssh-keygen


def _ssh_keygen_path() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        raise EnvError(
            "ssh-keygen not found on PATH",
            hint=f"install OpenSSH {MIN_OPENSSH[0]}.{MIN_OPENSSH[1]} or newer",
        )
    return path


@functools.lru_cache(maxsize=16)
def _version_of(path: str, _mtime_ns: int) -> tuple[int, int]:
    candidates: list[str] = []
    ssh = Path(path).with_name("ssh")
    if ssh.is_file() and os.access(ssh, os.X_OK):
        try:
            proc = subprocess.run(
                [str(ssh), "-V"],
                capture_output=True,
                timeout=10,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            candidates.append(proc.stderr.decode("utf-8", "replace"))
            candidates.append(proc.stdout.decode("utf-8", "replace"))
        except (OSError, subprocess.SubprocessError):
            pass
    for text in candidates:
        match = re.search(r"OpenSSH_(?:for_Windows_)?(\d+)\.(\d+)", text)
        if match:
            return int(match.group(1)), int(match.group(2))
    # ssh-keygen has no version flag; the version string is compiled into the binary.
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise EnvError(f"cannot read {path}: {exc.strerror}") from exc
    match_b = re.search(rb"OpenSSH_(?:for_Windows_)?(\d+)\.(\d+)", data)
    if match_b:
        return int(match_b.group(1)), int(match_b.group(2))
    raise EnvError(
        f"cannot tell which OpenSSH version {path} is",
        hint=f"install OpenSSH {MIN_OPENSSH[0]}.{MIN_OPENSSH[1]} or newer",
    )


def ssh_keygen_version() -> tuple[int, int]:
    """(major, minor) of the OpenSSH that provides ``ssh-keygen`` on PATH.

    Raises ``EnvError`` when ssh-keygen is missing or its version cannot be told.
    """
    path = _ssh_keygen_path()
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = 0
    return _version_of(path, mtime)


def require_signing_support() -> None:
    """Raise ``EnvError`` unless ssh-keygen is present and at least OpenSSH 8.8."""
    version = ssh_keygen_version()
    if version < MIN_OPENSSH:
        raise EnvError(
            f"ssh-keygen is OpenSSH {version[0]}.{version[1]}, too old for SSH signatures",
            hint=f"install OpenSSH {MIN_OPENSSH[0]}.{MIN_OPENSSH[1]} or newer",
        )


def _subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"TZ": "UTC", "LC_ALL": "C", "SSH_ASKPASS_REQUIRE": "never"})
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra)
    return env


@dataclass(frozen=True)
class _KeyFile:
    kind: str  # "public" | "private" | "unknown"
    encrypted: bool
    blob: bytes | None  # the public key blob, when the file shows it


def _inspect_key_file(key_path: Path) -> _KeyFile:
    """What the key file is, whether it needs a passphrase, and its public blob if visible."""
    try:
        with key_path.open("rb") as fh:
            head = fh.read(1 << 16)
    except PermissionError as exc:
        raise EnvError(f"cannot read signing key {key_path}: permission denied") from exc
    except OSError as exc:
        raise EnvError(f"cannot read signing key {key_path}: {exc.strerror or exc}") from exc
    text = head.decode("ascii", "replace").strip()
    first = text.split(None, 1)[0] if text else ""
    if first in _KNOWN_TYPES or first.endswith("-cert-v01@openssh.com"):
        try:
            blob: bytes | None = parse_public_key(text.splitlines()[0])[1]
        except ValueError:
            blob = None
        return _KeyFile("public", False, blob)
    marker = "-----BEGIN OPENSSH PRIVATE KEY-----"
    if marker in text:
        body = text.split(marker, 1)[1].split("-----END", 1)[0]
        try:
            r = _Reader(base64.b64decode("".join(body.split())))
            r.skip(len(b"openssh-key-v1\0"))
            cipher = r.string()
            r.string()  # kdf name
            r.string()  # kdf options
            blob = r.string() if r.u32() >= 1 else None
        except (binascii.Error, ValueError):
            return _KeyFile("private", False, None)
        return _KeyFile("private", cipher != b"none", blob)
    if "PRIVATE KEY-----" in text:
        return _KeyFile("private", "ENCRYPTED" in text, None)
    return _KeyFile("unknown", False, None)


def _agent_has_key(blob: bytes) -> bool | None:
    """Ask ssh-agent (SSH_AUTH_SOCK) whether it holds ``blob``; None if it cannot be asked."""
    path = os.environ.get("SSH_AUTH_SOCK")
    if not path or not hasattr(socket, "AF_UNIX"):
        return None
    request = (1).to_bytes(4, "big") + bytes([11])  # SSH2_AGENTC_REQUEST_IDENTITIES
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(path)
            sock.sendall(request)
            header = _recv_exact(sock, 4)
            length = int.from_bytes(header, "big")
            if length > 1 << 20:
                return None
            reply = _recv_exact(sock, length)
    except OSError:
        return None
    try:
        r = _Reader(reply)
        r.skip(1)
        if reply[0] != 12:  # SSH2_AGENT_IDENTITIES_ANSWER
            return None
        count = r.u32()
        for _ in range(count):
            if r.string() == blob:
                return True
            r.string()  # comment
    except _WireError:
        return None
    return False


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise OSError("agent closed the connection")
        chunks += chunk
    return bytes(chunks)


def _sign_failure(stderr: str, key_path: Path) -> Exception:
    low = stderr.lower()
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "@@@" not in ln]
    lines = [ln for ln in lines if ln != "Signing data on standard input"]
    detail = lines[-1] if lines else "no message"
    detail = detail.replace("Enter passphrase: ", "")
    if "incorrect passphrase" in low or "passphrase" in low:
        return UsageError(
            f"signing key {key_path} is protected by a passphrase and is not in ssh-agent",
            hint=f"run ssh-add {key_path} and try again",
        )
    if "unprotected private key file" in low or "are too open" in low:
        return UsageError(
            f"signing key {key_path} is readable by other users; ssh-keygen refuses it",
            hint=f"chmod 600 {key_path}",
        )
    if "agent" in low and ("refused" in low or "not found" in low):
        return UsageError(f"ssh-agent could not sign with {key_path}: {detail}")
    if "no such file" in low or "couldn't load" in low or "invalid format" in low:
        return UsageError(f"cannot use {key_path} as a signing key: {detail}")
    return UsageError(f"ssh-keygen could not sign with {key_path}: {detail}")


def sign(message: bytes, key_path: Path) -> str:
    """Sign ``message`` with ``ssh-keygen -Y sign -n reviewkit -f KEY`` (stdin -> stdout).

    ``key_path`` is a private key, or a public key whose private half is in ssh-agent
    (``SSH_AUTH_SOCK`` is passed through). ssh-keygen runs in its own session with askpass
    disabled, so it can never wait for a passphrase on a terminal. Returns the armored
    signature ending in a newline. Raises ``UsageError`` (missing key, passphrase-protected
    key without agent, …) or ``EnvError`` (ssh-keygen missing or too old, key unreadable).
    """
    require_signing_support()
    key_path = Path(key_path).expanduser()
    if not key_path.exists():
        raise UsageError(
            f"signing key not found: {key_path}",
            hint="pass the path of your SSH private key, or of its .pub if it is in ssh-agent",
        )
    if not key_path.is_file():
        raise UsageError(f"signing key {key_path} is not a file")
    info = _inspect_key_file(key_path)
    if info.kind == "unknown":
        raise UsageError(f"{key_path} is not an SSH key")
    private = key_path.with_suffix("") if key_path.suffix == ".pub" else key_path
    in_agent = _agent_has_key(info.blob) if info.blob is not None else None
    if info.kind == "public" and in_agent is not True:
        # ssh-keygen falls back to the private key next to the .pub file
        if private == key_path or not private.is_file():
            where = "that is not in ssh-agent" if in_agent is False else "and no agent is running"
            raise UsageError(
                f"{key_path} is a public key {where}",
                hint="give the private key, or start ssh-agent and ssh-add the key",
            )
        info = _inspect_key_file(private)
    if info.encrypted and in_agent is not True:
        where = "and is not in ssh-agent" if in_agent is False else "and no ssh-agent is running"
        raise UsageError(
            f"signing key {key_path} is protected by a passphrase {where}",
            hint=f"start ssh-agent and run ssh-add {private}",
        )
    cmd = [_ssh_keygen_path(), "-Y", "sign", "-n", NAMESPACE, "-f", str(key_path)]
    try:
        proc = subprocess.run(
            cmd,
            input=message,
            capture_output=True,
            env=_subprocess_env(),
            start_new_session=True,  # no controlling terminal: never prompts
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EnvError(
            "ssh-keygen did not finish signing within 120 s",
            hint="a security key may be waiting for a touch",
        ) from exc
    except OSError as exc:
        raise EnvError(f"cannot run ssh-keygen: {exc.strerror or exc}") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise _sign_failure(stderr, key_path)
    out = proc.stdout.decode("ascii", "replace")
    start = out.find(_BEGIN)
    end = out.find(_END)
    if start < 0 or end < start:
        raise EnvError("ssh-keygen reported success but printed no signature")
    armored = out[start : end + len(_END)] + "\n"
    try:
        parsed = _parse_signature(armored)
    except _Malformed as exc:
        raise EnvError(f"ssh-keygen produced an unreadable signature ({exc.reason})") from exc
    if parsed.namespace != NAMESPACE or (
        parsed.key_type in _IN_PROCESS_TYPES and not _check_crypto(parsed, message)
    ):
        raise EnvError("ssh-keygen produced a signature that does not verify")
    return armored


def _verify_failure_reason(stderr: str) -> str:
    low = stderr.lower()
    if "namespace does not match" in low:
        return f"signed for another namespace, not {NAMESPACE!r}"
    if "key is not yet valid" in low or "key has expired" in low:
        return "the signing key is not valid at the given time"
    if "incorrect signature" in low or "signature verification failed" in low:
        return "signature does not match the content (altered after signing?)"
    if "sshsig" in low or "parse signature" in low or "base64" in low or "invalid format" in low:
        return "malformed signature"
    if "not permitted" in low:
        return f"key not permitted for namespace {NAMESPACE!r}"
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines or lines[-1] == "Could not verify signature.":
        return "signature is not by a key registered for this reviewer"
    return lines[-1]


def verify_with_ssh_keygen(
    message: bytes,
    signature: str,
    principal: str,
    keys: Sequence[AllowedKey],
    at: datetime,
) -> Verification:
    """The reference verifier: ``ssh-keygen -Y verify`` with an allowed-signers file.

    Writes the allowed-signers file (every usable key, with ``namespaces="reviewkit"`` and
    its window) and the signature to a private temporary directory and runs
    ``ssh-keygen -Y verify -f ALLOWED -I principal -n reviewkit -s SIG -O verify-time=AT``
    with the message on stdin and ``TZ=UTC``. Raises ``EnvError`` if ssh-keygen is missing.
    """
    t = _check_at(at)
    if not isinstance(signature, str) or not signature.strip():
        return Verification(False, "not signed", None)
    fp: str | None = None
    namespace: str | None = None
    try:
        parsed = _parse_signature(signature)
        fp, namespace = parsed.fingerprint, parsed.namespace
    except _Malformed as exc:
        fp = exc.fingerprint
    if not valid_principal(principal):
        return Verification(False, f"{principal!r} is not a usable reviewer id", fp)
    if t <= 0:
        return Verification(False, "the verification time is before 1970", fp)
    try:
        sig_bytes = signature.encode("utf-8")
    except UnicodeEncodeError:
        return Verification(False, "malformed signature: not text", fp)
    exe = _ssh_keygen_path()
    utc_suffix = ssh_keygen_version() >= _UTC_SUFFIX_SINCE
    lines = [
        allowed_signers_line(k, utc_suffix=utc_suffix)
        for k, _ in _usable_keys(keys)
        if valid_principal(k.principal)
    ]
    with tempfile.TemporaryDirectory(prefix="reviewkit-verify-") as tmp:
        allowed = Path(tmp, "allowed_signers")
        sig_path = Path(tmp, "signature.sig")
        allowed.write_text("".join(line + "\n" for line in lines), encoding="ascii")
        sig_path.write_bytes(sig_bytes)
        cmd = [
            exe, "-Y", "verify",
            "-f", str(allowed),
            "-I", principal,
            "-n", NAMESPACE,
            "-s", str(sig_path),
            "-O", f"verify-time={_ssh_time(at, utc_suffix)}",
        ]  # fmt: skip
        try:
            proc = subprocess.run(
                cmd,
                input=message,
                capture_output=True,
                env=_subprocess_env(),
                start_new_session=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EnvError("ssh-keygen -Y verify did not finish within 60 s") from exc
        except OSError as exc:
            raise EnvError(f"cannot run ssh-keygen: {exc.strerror or exc}") from exc
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode == 0 and out.startswith("Good "):
        return Verification(True, "", fp)
    reason = _verify_failure_reason(proc.stderr.decode("utf-8", "replace"))
    if reason.startswith("signed for another namespace") and namespace is not None:
        reason = f"signed for namespace {namespace!r}, not {NAMESPACE!r}"
    return Verification(False, reason, fp)


# --------------------------------------------------------------------------- cache


_CACHE_FORMAT = "reviewkit-signature-cache"
_CACHE_VERSION = 1


class SignatureCache:
    """Verified-OK signatures, so a large ledger is not re-verified on every run.

    An entry is ``sha256(tag || len‖signature || len‖message || len‖key blob)`` (each part
    length-prefixed, so no two triples share an entry) and means: this exact signature is
    cryptographically valid over this exact message by this exact key. Only successes are
    stored. Principal, namespace and the key's validity window are not part of it: they
    are checked on every call. The file carries a format version and a checksum; a missing,
    unreadable or damaged file loads as an empty cache, never partially. The checksum
    detects damage, not forgery: keep the file where only the verifying user can write.
    """

    _TAG = b"reviewkit-sigcache-v1\0"

    def __init__(self, entries: Iterable[bytes] = ()) -> None:
        self._entries: set[bytes] = set(entries)

    @classmethod
    def entry_key(cls, signature: str, message: bytes, key_blob: bytes) -> bytes:
        h = hashlib.sha256(cls._TAG)
        for part in (signature.encode("utf-8", "surrogatepass"), message, key_blob):
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
        return h.digest()

    def __contains__(self, entry: object) -> bool:
        return entry in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: bytes) -> None:
        if len(entry) != 32:
            raise ValueError("cache entries are sha256 digests")
        self._entries.add(entry)

    def clear(self) -> None:
        self._entries.clear()

    @staticmethod
    def _checksum(hex_entries: Sequence[str]) -> str:
        h = hashlib.sha256(f"{_CACHE_FORMAT}/{_CACHE_VERSION}\n".encode("ascii"))
        for entry in hex_entries:
            h.update(entry.encode("ascii") + b"\n")
        return h.hexdigest()

    @classmethod
    def load(cls, path: Path) -> SignatureCache:
        """Read a cache file; anything wrong with it gives an empty cache."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                return cls()
            if data.get("format") != _CACHE_FORMAT or data.get("version") != _CACHE_VERSION:
                return cls()
            entries = data.get("entries")
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                return cls()
            if data.get("checksum") != cls._checksum(entries):
                return cls()
            raw = [bytes.fromhex(e) for e in entries]
            if any(len(e) != 32 for e in raw):
                return cls()
            return cls(raw)
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return cls()

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file in the same directory, then ``os.replace``."""
        path = Path(path)
        entries = sorted(e.hex() for e in self._entries)
        payload = {
            "format": _CACHE_FORMAT,
            "version": _CACHE_VERSION,
            "entries": entries,
            "checksum": self._checksum(entries),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, separators=(",", ":"))
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
