"""Signing and verification with real keys and the real ssh-keygen (no mocks).

The in-process verifier must agree with ``ssh-keygen -Y verify`` on every case here.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewkit.base.errors import EnvError, UsageError
from reviewkit.record import signing, sshsig
from reviewkit.record.signing import (
    NAMESPACE,
    AllowedKey,
    Verification,
    allowed_signers_line,
    fingerprint,
    parse_public_key,
    require_signing_support,
    sign,
    verify,
    verify_with_ssh_keygen,
)

from conftest import examples

UTC = timezone.utc
AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
MESSAGE = b'{"action":"approved","article":"content/articles/sleep.md","digest":"sha256:ab"}'

KEY_TYPES = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa": ["-t", "rsa", "-b", "2048"],
}


@dataclass(frozen=True)
class Key:
    private: Path
    public: str  # the .pub line

    @property
    def pub_path(self) -> Path:
        return self.private.with_name(self.private.name + ".pub")


def _keygen(directory: Path, name: str, args: list[str], passphrase: str = "") -> Key:
    path = directory / name
    env = dict(os.environ, HOME=str(directory))
    subprocess.run(
        ["ssh-keygen", "-q", *args, "-N", passphrase, "-C", f"{name}@test", "-f", str(path)],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return Key(path, (directory / f"{name}.pub").read_text().strip())


@pytest.fixture(scope="session")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def keys(keydir: Path) -> dict[str, Key]:
    made = {kind: _keygen(keydir, kind, args) for kind, args in KEY_TYPES.items()}
    made["other"] = _keygen(keydir, "other", KEY_TYPES["ed25519"])
    return made


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SSH_AGENT_PID", raising=False)


@pytest.fixture(params=sorted(KEY_TYPES))
def key(request: pytest.FixtureRequest, keys: dict[str, Key]) -> Key:
    return keys[request.param]


def _ssh_sign(key: Key, message: bytes, *extra: str, namespace: str = NAMESPACE) -> str:
    proc = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", namespace, "-f", str(key.private), *extra],
        input=message,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode()


def both(
    message: bytes,
    signature: str,
    principal: str,
    allowed: list[AllowedKey],
    at: datetime = AT,
) -> Verification:
    """Run both verifiers, assert they agree, return the in-process result."""
    mine = verify(message, signature, principal, allowed, at)
    ref = verify_with_ssh_keygen(message, signature, principal, allowed, at)
    assert mine.ok == ref.ok, (mine, ref)
    if mine.fingerprint is not None:
        assert ref.fingerprint == mine.fingerprint
    return mine


def _body(signature: str) -> bytes:
    lines = signature.strip().splitlines()
    return base64.b64decode("".join(lines[1:-1]))


def _armor(raw: bytes) -> str:
    b64 = base64.b64encode(raw).decode()
    lines = [b64[i : i + 70] for i in range(0, len(b64), 70)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


# --------------------------------------------------------------------------- basics


def test_sign_returns_armored_signature(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    assert sig.startswith("-----BEGIN SSH SIGNATURE-----\n")
    assert sig.endswith("-----END SSH SIGNATURE-----\n")


def test_valid_signature_agrees(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    result = both(MESSAGE, sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)])
    assert result.ok and result.reason == ""
    assert result.fingerprint == fingerprint(key.public)


def test_fingerprint_matches_ssh_keygen(key: Key) -> None:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(key.pub_path)], capture_output=True, check=True, text=True
    ).stdout
    assert fingerprint(key.public) == out.split()[1]


def test_sha256_hash_signature_agrees(key: Key) -> None:
    sig = _ssh_sign(key, MESSAGE, "-O", "hashalg=sha256")
    assert b"sha256" in _body(sig)
    assert both(MESSAGE, sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)]).ok


def test_empty_message(key: Key) -> None:
    sig = sign(b"", key.private)
    assert both(b"", sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)]).ok
    assert not both(b"\0", sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)]).ok


# --------------------------------------------------------------------------- refusals


def test_tampered_message_agrees(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    allowed = [AllowedKey("dwhitfield", key.public)]
    for i in (0, len(MESSAGE) // 2, len(MESSAGE) - 1):
        tampered = bytearray(MESSAGE)
        tampered[i] ^= 0x01
        result = both(bytes(tampered), sig, "dwhitfield", allowed)
        assert not result.ok
        assert "does not match the content" in result.reason


def test_wrong_namespace_agrees(key: Key) -> None:
    sig = _ssh_sign(key, MESSAGE, namespace="other")
    result = both(MESSAGE, sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)])
    assert not result.ok
    assert result.reason == "signed for namespace 'other', not 'reviewkit'"


def test_key_not_in_allowed_list_agrees(key: Key, keys: dict[str, Key]) -> None:
    sig = sign(MESSAGE, keys["other"].private)
    result = both(MESSAGE, sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)])
    assert not result.ok
    assert "not registered for dwhitfield" in result.reason
    assert result.fingerprint == fingerprint(keys["other"].public)


def test_other_principal_agrees(key: Key, keys: dict[str, Key]) -> None:
    sig = sign(MESSAGE, key.private)
    allowed = [AllowedKey("dwhitfield", key.public), AllowedKey("jlee", keys["other"].public)]
    result = both(MESSAGE, sig, "jlee", allowed)
    assert not result.ok
    assert "not registered for jlee" in result.reason
    assert "registered for dwhitfield" in result.reason
    assert both(MESSAGE, sig, "dwhitfield", allowed).ok


def test_no_keys_at_all(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    assert not both(MESSAGE, sig, "dwhitfield", []).ok


def test_signature_for_other_message_agrees(key: Key) -> None:
    sig = sign(b"another event", key.private)
    assert not both(MESSAGE, sig, "dwhitfield", [AllowedKey("dwhitfield", key.public)]).ok


# --------------------------------------------------------------------------- validity windows


def test_validity_window_boundaries_agree(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
    allowed = [AllowedKey("dwhitfield", key.public, valid_after=start, valid_before=end)]
    second = timedelta(seconds=1)
    cases = {
        start - second: False,
        start - timedelta(microseconds=1): False,  # whole seconds, rounded down
        start: True,  # valid-after is inclusive
        start + second: True,
        end - second: True,
        end: True,  # valid-before is inclusive
        end + timedelta(microseconds=999_999): True,  # still second `end`
        end + second: False,
        datetime(2030, 1, 1, tzinfo=UTC): False,
    }
    for at, expected in cases.items():
        result = both(MESSAGE, sig, "dwhitfield", allowed, at)
        assert result.ok is expected, (at, result)
        if not expected:
            assert "is not valid on" in result.reason
            assert "valid from 2026-01-01 to 2026-06-30 23:59:59 UTC" in result.reason


def test_open_ended_windows_agree(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    start = datetime(2026, 2, 1, tzinfo=UTC)
    only_after = [AllowedKey("dwhitfield", key.public, valid_after=start)]
    only_before = [AllowedKey("dwhitfield", key.public, valid_before=start)]
    for at in (start - timedelta(seconds=1), start, start + timedelta(days=400)):
        both(MESSAGE, sig, "dwhitfield", only_after, at)
        both(MESSAGE, sig, "dwhitfield", only_before, at)
    assert verify(MESSAGE, sig, "dwhitfield", only_before, start).ok
    assert not verify(MESSAGE, sig, "dwhitfield", only_after, start - timedelta(seconds=1)).ok


def test_empty_window_never_valid_agrees(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    t = datetime(2026, 3, 1, tzinfo=UTC)
    same = [AllowedKey("dwhitfield", key.public, valid_after=t, valid_before=t)]
    inverted = [AllowedKey("dwhitfield", key.public, valid_after=t, valid_before=t - timedelta(1))]
    for allowed in (same, inverted):
        for at in (t - timedelta(days=1), t, t + timedelta(days=1)):
            assert not both(MESSAGE, sig, "dwhitfield", allowed, at).ok


def test_rotated_keys_any_valid_window_counts(keys: dict[str, Key]) -> None:
    key = keys["ed25519"]
    sig = sign(MESSAGE, key.private)
    cut = datetime(2026, 1, 1, tzinfo=UTC)
    allowed = [
        AllowedKey("dwhitfield", key.public, valid_before=cut),
        AllowedKey("dwhitfield", key.public, valid_after=cut + timedelta(days=30)),
    ]
    assert both(MESSAGE, sig, "dwhitfield", allowed, cut).ok
    assert not both(MESSAGE, sig, "dwhitfield", allowed, cut + timedelta(days=1)).ok
    assert both(MESSAGE, sig, "dwhitfield", allowed, cut + timedelta(days=31)).ok


def test_non_utc_timezones_mean_the_same_instant(keys: dict[str, Key]) -> None:
    key = keys["ed25519"]
    sig = sign(MESSAGE, key.private)
    plus2 = timezone(timedelta(hours=2))
    start = datetime(2026, 1, 1, 2, 0, 0, tzinfo=plus2)  # 2026-01-01T00:00:00Z
    allowed = [AllowedKey("dwhitfield", key.public, valid_after=start)]
    assert allowed[0].valid_after == datetime(2026, 1, 1, tzinfo=UTC)
    assert both(MESSAGE, sig, "dwhitfield", allowed, datetime(2026, 1, 1, tzinfo=UTC)).ok
    at = datetime(2026, 1, 1, 1, 59, 59, tzinfo=plus2)
    assert not both(MESSAGE, sig, "dwhitfield", allowed, at).ok


def test_local_timezone_does_not_matter(
    keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = keys["ed25519"]
    sig = sign(MESSAGE, key.private)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    allowed = [AllowedKey("dwhitfield", key.public, valid_after=start)]
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    time.tzset()
    try:
        assert both(MESSAGE, sig, "dwhitfield", allowed, start).ok
        assert not both(MESSAGE, sig, "dwhitfield", allowed, start - timedelta(seconds=1)).ok
    finally:
        monkeypatch.undo()
        time.tzset()


def test_naive_datetimes_are_refused(keys: dict[str, Key]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        AllowedKey("dwhitfield", keys["ed25519"].public, valid_after=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(MESSAGE, "", "dwhitfield", [], datetime(2026, 1, 1))


# --------------------------------------------------------------------------- malformed input


def _corruptions(sig: str) -> dict[str, str]:
    raw = _body(sig)
    lines = sig.splitlines(keepends=True)
    b64 = "".join(line.strip() for line in lines[1:-1])

    def swap(i: int) -> str:
        c = b64[i]
        new = "A" if c != "A" else "B"
        body = b64[:i] + new + b64[i + 1 :]
        return _armor(base64.b64decode(body + "=" * (-len(body) % 4)))

    cases = {
        "empty": "",
        "blank": "  \n",
        "garbage": "garbage",
        "pgp": "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
        "no footer": "".join(lines[:-1]),
        "no header": "".join(lines[1:]),
        "truncated text": sig[: len(sig) // 2],
        "truncated blob": _armor(raw[: len(raw) // 2]),
        "blob minus one": _armor(raw[:-1]),
        "trailing data": _armor(raw + b"\0"),
        "bad base64 char": sig.replace(b64[10:14], "!!!!", 1),
        "missing padding": sig.replace("=\n", "\n") if "=\n" in sig else sig[:40] + "\n" + sig,
        "empty body": "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        "not sshsig": _armor(b"SSHSIX" + raw[6:]),
        "version 2": _armor(raw[:6] + (2).to_bytes(4, "big") + raw[10:]),
    }

    def swap_text(i: int) -> str:
        c = b64[i]
        new = "A" if c != "A" else "B"
        text_lines = [b64[j : j + 70] for j in range(0, len(b64), 70)]
        flat = "\n".join(text_lines)
        pos = i + i // 70  # account for the newlines
        assert flat[pos] == c
        return f"{lines[0]}{flat[:pos]}{new}{flat[pos + 1 :]}\n{lines[-1]}"

    step = max(1, len(b64) // 23)
    for i in range(0, len(b64) - 2, step):
        cases[f"bit flip at {i}"] = swap(i)
        cases[f"char swap at {i}"] = swap_text(i)
    last = len(b64.rstrip("=")) - 1
    if _body(swap(last)) != raw:  # the last char may carry only padding bits
        cases["last char"] = swap(last)
    cases["last char text"] = swap_text(last)  # non-canonical base64 if only padding bits
    return cases


def test_malformed_signatures_agree(key: Key) -> None:
    sig = sign(MESSAGE, key.private)
    allowed = [AllowedKey("dwhitfield", key.public)]
    for name, bad in _corruptions(sig).items():
        result = both(MESSAGE, bad, "dwhitfield", allowed)
        assert not result.ok, name
        assert result.reason, name


def test_not_signed_reason() -> None:
    assert verify(MESSAGE, "", "dwhitfield", [], AT) == Verification(False, "not signed", None)
    assert verify_with_ssh_keygen(MESSAGE, "", "dwhitfield", [], AT).reason == "not signed"


def test_version_zero_is_accepted_like_ssh_keygen(keys: dict[str, Key]) -> None:
    key = keys["ed25519"]
    raw = _body(sign(MESSAGE, key.private))
    v0 = _armor(raw[:6] + (0).to_bytes(4, "big") + raw[10:])
    assert both(MESSAGE, v0, "dwhitfield", [AllowedKey("dwhitfield", key.public)]).ok


def test_crlf_armor_is_refused(keys: dict[str, Key]) -> None:
    """OpenSSH < 9.5 refuses a CRLF header line; we always do (fail closed)."""
    key = keys["ed25519"]
    allowed = [AllowedKey("dwhitfield", key.public)]
    sig = sign(MESSAGE, key.private).replace("\n", "\r\n")
    assert not verify(MESSAGE, sig, "dwhitfield", allowed, AT).ok
    if signing.ssh_keygen_version() < (9, 5):
        assert not both(MESSAGE, sig, "dwhitfield", allowed).ok
    # CR inside the body is only whitespace, for every version
    body_crlf = sign(MESSAGE, key.private)
    head, rest = body_crlf.split("\n", 1)
    assert both(MESSAGE, head + "\n" + rest.replace("\n", "\r\n"), "dwhitfield", allowed).ok


def test_ed25519_malleated_s_agrees(keys: dict[str, Key]) -> None:
    """S + L is accepted by OpenSSH (it reduces S mod L); so must we be."""
    key = keys["ed25519"]
    raw = _body(sign(MESSAGE, key.private))
    sig_bytes = raw[-64:]
    s = int.from_bytes(sig_bytes[32:], "little") + sshsig._ED25519_L
    if s >> 253:
        pytest.skip("S + L does not fit in 253 bits for this signature")
    bent = raw[:-32] + s.to_bytes(32, "little")
    result = both(MESSAGE, _armor(bent), "dwhitfield", [AllowedKey("dwhitfield", key.public)])
    assert result.ok


_SIG_FOR_FUZZ: dict[str, str] = {}


@pytest.fixture
def fuzz_keys(keys: dict[str, Key]) -> list[AllowedKey]:
    return [AllowedKey("dwhitfield", keys[k].public) for k in KEY_TYPES]


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_random_text_never_raises_never_verifies(fuzz_keys: list[AllowedKey], text: str) -> None:
    result = verify(MESSAGE, text, "dwhitfield", fuzz_keys, AT)
    assert not result.ok and result.reason


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=600), prefix=st.sampled_from([b"", b"SSHSIG\0\0\0\1"]))
def test_random_armored_blobs_never_raise_never_verify(
    fuzz_keys: list[AllowedKey], blob: bytes, prefix: bytes
) -> None:
    result = verify(MESSAGE, _armor(prefix + blob), "dwhitfield", fuzz_keys, AT)
    assert not result.ok and result.reason


@pytest.mark.slow
@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_signature_never_raises(
    keys: dict[str, Key], fuzz_keys: list[AllowedKey], data: st.DataObject
) -> None:
    sig = _SIG_FOR_FUZZ.setdefault("ed25519", sign(MESSAGE, keys["ed25519"].private))
    raw = bytearray(_body(sig))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    assume(raw[6:10] != b"\0\0\0\0")  # version 0 is accepted, as by ssh-keygen
    result = verify(MESSAGE, _armor(bytes(raw)), "dwhitfield", fuzz_keys, AT)
    assert not result.ok


# --------------------------------------------------------------------------- security keys


def _sk_ed25519_signature(message: bytes, namespace: str = NAMESPACE) -> tuple[str, str]:
    """A hand-made sk-ssh-ed25519 SSHSIG signature (no hardware needed)."""

    def s(b: bytes) -> bytes:
        return len(b).to_bytes(4, "big") + b

    priv = Ed25519PrivateKey.generate()
    pk = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ktype = b"sk-ssh-ed25519@openssh.com"
    app = b"ssh:"
    key_blob = s(ktype) + s(pk) + s(app)
    digest = hashlib.sha512(message).digest()
    signed = b"SSHSIG" + s(namespace.encode()) + s(b"") + s(b"sha512") + s(digest)
    flags, counter = 0x01, 7
    to_sign = (
        hashlib.sha256(app).digest()
        + bytes([flags])
        + counter.to_bytes(4, "big")
        + hashlib.sha256(signed).digest()
    )
    sig = priv.sign(to_sign)
    sig_blob = s(ktype) + s(sig) + bytes([flags]) + counter.to_bytes(4, "big")
    raw = (
        b"SSHSIG" + (1).to_bytes(4, "big") + s(key_blob) + s(namespace.encode()) + s(b"")
        + s(b"sha512") + s(sig_blob)
    )  # fmt: skip
    public = f"{ktype.decode()} {base64.b64encode(key_blob).decode()} sk@test"
    return _armor(raw), public


def test_security_key_signature_falls_back_to_ssh_keygen() -> None:
    sig, public = _sk_ed25519_signature(MESSAGE)
    allowed = [AllowedKey("dwhitfield", public)]
    assert parse_public_key(public)[0] == "sk-ssh-ed25519@openssh.com"
    assert both(MESSAGE, sig, "dwhitfield", allowed).ok
    result = both(MESSAGE + b" ", sig, "dwhitfield", allowed)
    assert "does not match the content" in result.reason
    assert not both(MESSAGE, sig, "jlee", allowed).ok


# --------------------------------------------------------------------------- environment


def test_require_signing_support_without_ssh_keygen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(EnvError) as info:
        require_signing_support()
    assert "ssh-keygen not found" in str(info.value)
    assert "OpenSSH 8.8 or newer" in str(info.value)
    assert info.value.exit_code == 3
    with pytest.raises(EnvError):
        sign(MESSAGE, tmp_path / "whatever")


def test_ssh_keygen_version_is_new_enough() -> None:
    major, minor = signing.ssh_keygen_version()
    assert (major, minor) >= (8, 8)
    require_signing_support()


# --------------------------------------------------------------------------- signing errors


def test_sign_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        sign(MESSAGE, tmp_path / "no-such-key")
    assert "signing key not found" in str(info.value)
    assert str(tmp_path / "no-such-key") in str(info.value)
    assert "\n" not in str(info.value)


def test_sign_not_a_key(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_text("hello\n")
    with pytest.raises(UsageError, match="not an SSH key"):
        sign(MESSAGE, junk)
    with pytest.raises(UsageError, match="not a file"):
        sign(MESSAGE, tmp_path)


def test_sign_unreadable_key(keys: dict[str, Key], tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    copy = tmp_path / "key"
    copy.write_bytes(keys["ed25519"].private.read_bytes())
    copy.chmod(0)
    with pytest.raises(EnvError, match="cannot read"):
        sign(MESSAGE, copy)


def test_sign_key_with_open_permissions(keys: dict[str, Key], tmp_path: Path) -> None:
    copy = tmp_path / "key"
    copy.write_bytes(keys["ed25519"].private.read_bytes())
    copy.chmod(0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        sign(MESSAGE, copy)


def test_sign_public_key_without_agent(tmp_path: Path, keys: dict[str, Key]) -> None:
    lone = tmp_path / "lone.pub"
    lone.write_text(keys["ed25519"].public + "\n")
    with pytest.raises(UsageError, match="public key and no agent is running"):
        sign(MESSAGE, lone)


def test_sign_encrypted_key_without_agent_fails_fast(tmp_path: Path) -> None:
    enc = _keygen(tmp_path, "enc", KEY_TYPES["ed25519"], passphrase="correct horse")
    for path in (enc.private, enc.pub_path):  # refused before ssh-keygen could prompt
        with pytest.raises(UsageError) as info:
            sign(MESSAGE, path)
        assert "passphrase" in str(info.value)
        assert "ssh-add" in str(info.value)


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    sock = tmp_path / "agent.sock"
    out = subprocess.run(
        ["ssh-agent", "-s", "-a", str(sock)], capture_output=True, text=True, check=True
    ).stdout
    env = dict(re.findall(r"(SSH_AUTH_SOCK|SSH_AGENT_PID)=([^;]+);", out))
    pid = int(env["SSH_AGENT_PID"])
    try:
        monkeypatch.setenv("SSH_AUTH_SOCK", env["SSH_AUTH_SOCK"])
        monkeypatch.setenv("SSH_AGENT_PID", env["SSH_AGENT_PID"])
        yield env
    finally:
        os.kill(pid, signal.SIGTERM)


def _ssh_add(path: Path, passphrase: str, env: dict[str, str], home: Path) -> None:
    askpass = home / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{passphrase}'\n")
    askpass.chmod(0o700)
    full_env = dict(
        os.environ,
        **env,
        SSH_ASKPASS=str(askpass),
        SSH_ASKPASS_REQUIRE="force",
        DISPLAY=":0",
    )
    subprocess.run(
        ["ssh-add", str(path)],
        env=full_env,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
    )


def test_sign_with_encrypted_key_in_agent(agent: dict[str, str], tmp_path: Path) -> None:
    enc = _keygen(tmp_path, "enc", KEY_TYPES["ed25519"], passphrase="correct horse")
    _ssh_add(enc.private, "correct horse", agent, tmp_path)
    allowed = [AllowedKey("dwhitfield", enc.public)]
    lone = tmp_path / "elsewhere" / "only.pub"
    lone.parent.mkdir()
    lone.write_text(enc.public + "\n")
    for path in (enc.pub_path, enc.private, lone):
        sig = sign(MESSAGE, path)
        assert both(MESSAGE, sig, "dwhitfield", allowed).ok


def test_sign_pub_not_in_agent(agent: dict[str, str], tmp_path: Path) -> None:
    enc = _keygen(tmp_path, "enc", KEY_TYPES["ed25519"], passphrase="pw")
    lone = tmp_path / "lone.pub"
    lone.write_text(enc.public)
    with pytest.raises(UsageError, match="public key that is not in ssh-agent"):
        sign(MESSAGE, lone)
    for path in (enc.private, enc.pub_path):  # agent running, but it does not hold this key
        with pytest.raises(UsageError, match="passphrase and is not in ssh-agent"):
            sign(MESSAGE, path)


# --------------------------------------------------------------------------- keys and lines


def test_parse_public_key(keys: dict[str, Key]) -> None:
    kind, blob = parse_public_key(keys["ed25519"].public)
    assert kind == "ssh-ed25519"
    assert blob == base64.b64decode(keys["ed25519"].public.split()[1])
    assert parse_public_key("  " + keys["rsa"].public + "  ")[0] == "ssh-rsa"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "expected 'TYPE BASE64"),
        ("ssh-ed25519", "expected 'TYPE BASE64"),
        ("ssh-dss AAAAB3NzaC1kc3M=", "unsupported key type"),
        ("ssh-ed25519 !!!notbase64", "not valid base64"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "malformed ssh-ed25519"),
    ],
)
def test_parse_public_key_errors(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_public_key(line)


def test_parse_public_key_type_mismatch(keys: dict[str, Key]) -> None:
    b64 = keys["ed25519"].public.split()[1]
    with pytest.raises(ValueError, match="contains a 'ssh-ed25519' key"):
        parse_public_key(f"ssh-rsa {b64}")


def test_allowed_signers_line(keys: dict[str, Key]) -> None:
    key = AllowedKey(
        "dwhitfield",
        keys["ed25519"].public,
        valid_after=datetime(2026, 1, 1, tzinfo=UTC),
        valid_before=datetime(2027, 6, 30, 12, 30, 5, tzinfo=UTC),
    )
    b64 = keys["ed25519"].public.split()[1]
    assert allowed_signers_line(key) == (
        'dwhitfield namespaces="reviewkit",valid-after="20260101000000Z",'
        f'valid-before="20270630123005Z" ssh-ed25519 {b64}'
    )
    assert 'valid-after="20260101000000",' in allowed_signers_line(key, utc_suffix=False)
    assert allowed_signers_line(AllowedKey("b.c@example.org", keys["ed25519"].public)) == (
        f'b.c@example.org namespaces="reviewkit" ssh-ed25519 {b64}'
    )


def test_allowed_signers_line_cannot_be_injected(keys: dict[str, Key]) -> None:
    evil = keys["ed25519"].public + '\nmallory namespaces="reviewkit" ' + keys["other"].public
    line = allowed_signers_line(AllowedKey("dwhitfield", evil))
    assert "\n" not in line and "mallory" not in line
    for bad in ("*", "a b", "a,b", "!x", '"q"', "", "-opt"):
        with pytest.raises(ValueError, match="cannot be used"):
            allowed_signers_line(AllowedKey(bad, keys["ed25519"].public))


def test_wildcard_principal_does_not_match(keys: dict[str, Key]) -> None:
    key = keys["ed25519"]
    sig = sign(MESSAGE, key.private)
    allowed = [AllowedKey("*", key.public), AllowedKey("dwhitfield", keys["other"].public)]
    assert not both(MESSAGE, sig, "dwhitfield", allowed).ok
    assert not both(MESSAGE, sig, "*", allowed).ok


def test_malformed_registry_key_is_skipped(keys: dict[str, Key]) -> None:
    key = keys["ed25519"]
    sig = sign(MESSAGE, key.private)
    allowed = [AllowedKey("dwhitfield", "ssh-ed25519 broken"), AllowedKey("dwhitfield", key.public)]
    assert both(MESSAGE, sig, "dwhitfield", allowed).ok


def test_generate_key_makes_a_signing_key_and_never_overwrites(tmp_path: Path) -> None:
    from reviewkit.record.ssh_keygen import generate_key

    path = tmp_path / "demo_ed25519"
    public = generate_key(path, "demo reviewer")
    line = public.read_text().strip()
    assert line.startswith("ssh-ed25519 ") and line.endswith(" demo reviewer")
    # ssh-keygen itself derives the same public key from the private file, unencrypted
    derived = subprocess.run(["ssh-keygen", "-y", "-P", "", "-f", str(path)], check=True,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    assert derived.split()[:2] == line.split()[:2]
    assert signing.sign(MESSAGE, path).startswith("-----BEGIN SSH SIGNATURE-----")
    before = path.read_bytes()
    with pytest.raises(EnvError, match="already exists"):
        generate_key(path, "another")
    assert path.read_bytes() == before
    with pytest.raises(EnvError, match="ssh-keygen could not make a key at"):
        generate_key(tmp_path / "no-such-dir" / "key", "x")
