"""The SSHSIG wire format and in-process signature checking (no subprocess, no policy).

Format: OpenSSH "SSHSIG" (PROTOCOL.sshsig), armored as ``-----BEGIN SSH SIGNATURE-----``,
always in the namespace ``reviewkit``. The blob is::

    byte[6]  "SSHSIG"            uint32 version (1)
    string   public key          string namespace
    string   reserved            string hash algorithm ("sha256" | "sha512")
    string   signature           (over the signed data below)

and the signed data is ``"SSHSIG" || string(namespace) || string("") || string(hashalg) ||
string(H(message))``. Who may sign, and when, is :mod:`reviewkit.record.allowed_signers`; the
whole verification is :func:`reviewkit.record.signing.verify`.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

NAMESPACE = "reviewkit"

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
_B64_WS = " \t\n\r\v\f"
_B64_WS_DELETE = dict.fromkeys(map(ord, _B64_WS))  # str.translate table: drop these


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


@functools.lru_cache(maxsize=1024)
def _load_key_blob(blob: bytes) -> tuple[str, _PublicKey]:
    """Parse and validate a public key blob: (type, key object or None for sk-* types).
    Memoised: a ledger has thousands of signatures by a few keys (a key object is
    immutable; a blob that does not load raises again on every call)."""
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


@functools.lru_cache(maxsize=1024)
def _fingerprint_blob(blob: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def fingerprint(public_key: str) -> str:
    """``SHA256:<base64 without padding>`` of the key, as ``ssh-keygen -l`` prints it."""
    _, blob = parse_public_key(public_key)
    return _fingerprint_blob(blob)



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
    compact = body.translate(_B64_WS_DELETE)
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

