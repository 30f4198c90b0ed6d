"""The ``ssh-keygen`` wrapper: its version, ``-Y sign``, ``-Y verify`` (the reference
verifier) and ``-t`` (a new key, for the demo), each run through :func:`_run_ssh_keygen` in
its own session with askpass off.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reviewkit.base.errors import EnvError, UsageError
from reviewkit.record.allowed_signers import (
    AllowedKey,
    _check_at,
    _ssh_time,
    _usable_keys,
    allowed_signers_line,
    valid_principal,
)
from reviewkit.record.sshsig import (
    _BEGIN,
    _END,
    _IN_PROCESS_TYPES,
    _KNOWN_TYPES,
    NAMESPACE,
    Verification,
    _check_crypto,
    _Malformed,
    _parse_signature,
    _Reader,
    parse_public_key,
)

MIN_OPENSSH = (8, 8)
#: OpenSSH accepts a trailing ``Z`` (UTC) on times from 9.1 on; older ones get ``TZ=UTC``.
_UTC_SUFFIX_SINCE = (9, 1)


def _ssh_keygen_path() -> str:
    # shutil and tempfile where used: a command that only verifies in-process (status)
    # does not import them
    import shutil

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


def _run_ssh_keygen(args: Sequence[str], message: bytes, timeout: int, too_slow: str,
                    hint: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``ssh-keygen ARGS`` with ``message`` on stdin, in its own session (no controlling
    terminal: it can never prompt) with askpass off and ``TZ=UTC``; EnvError (exit 3) when
    it cannot run, or with ``too_slow`` (and ``hint``) when it does not finish within
    ``timeout`` seconds."""
    try:
        return subprocess.run(
            [_ssh_keygen_path(), *args],
            input=message,
            capture_output=True,
            env=_subprocess_env(),
            start_new_session=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EnvError(too_slow, hint=hint) from exc
    except OSError as exc:
        raise EnvError(f"cannot run ssh-keygen: {exc.strerror or exc}") from exc


def generate_key(path: Path, comment: str) -> Path:
    """Make a new ed25519 key pair without a passphrase at ``path`` and ``path.pub``
    (``ssh-keygen -t ed25519``); returns the public key file. Refuses to overwrite a file
    that exists. For throwaway keys (the demo's reviewer): a real reviewer makes their own.
    EnvError (exit 3) when ssh-keygen cannot make it."""
    if path.exists() or Path(f"{path}.pub").exists():
        raise EnvError(f"{path}: a key file already exists there")
    proc = _run_ssh_keygen(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                           b"", 60, "ssh-keygen did not make a key within 60 s")
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EnvError(f"ssh-keygen could not make a key at {path}: "
                       f"{lines[-1] if lines else f'exit status {proc.returncode}'}")
    return Path(f"{path}.pub")


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
    """Whether ssh-agent (SSH_AUTH_SOCK) holds ``blob``, asked with ``ssh-add -L``; None
    when it cannot be asked (no agent, no ssh-add, no answer)."""
    import shutil

    exe = shutil.which("ssh-add")
    if not os.environ.get("SSH_AUTH_SOCK") or exe is None:
        return None
    try:
        proc = subprocess.run([exe, "-L"], capture_output=True, env=_subprocess_env(),
                              stdin=subprocess.DEVNULL, start_new_session=True, timeout=10,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode == 1:  # "The agent has no identities."
        return False
    if proc.returncode != 0:  # 2: could not connect to the agent
        return None
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        try:
            if base64.b64decode(fields[1], validate=True) == blob:
                return True
        except (binascii.Error, ValueError):
            continue
    return False


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
    proc = _run_ssh_keygen(["-Y", "sign", "-n", NAMESPACE, "-f", str(key_path)], message,
                           120, "ssh-keygen did not finish signing within 120 s",
                           hint="a security key may be waiting for a touch")
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
    utc_suffix = ssh_keygen_version() >= _UTC_SUFFIX_SINCE
    lines = [
        allowed_signers_line(k, utc_suffix=utc_suffix)
        for k, _ in _usable_keys(keys)
        if valid_principal(k.principal)
    ]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reviewkit-verify-") as tmp:
        allowed = Path(tmp, "allowed_signers")
        sig_path = Path(tmp, "signature.sig")
        allowed.write_text("".join(line + "\n" for line in lines), encoding="ascii")
        sig_path.write_bytes(sig_bytes)
        proc = _run_ssh_keygen([
            "-Y", "verify",
            "-f", str(allowed),
            "-I", principal,
            "-n", NAMESPACE,
            "-s", str(sig_path),
            "-O", f"verify-time={_ssh_time(at, utc_suffix)}",
        ], message, 60, "ssh-keygen -Y verify did not finish within 60 s")  # fmt: skip
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode == 0 and out.startswith("Good "):
        return Verification(True, "", fp)
    reason = _verify_failure_reason(proc.stderr.decode("utf-8", "replace"))
    if reason.startswith("signed for another namespace") and namespace is not None:
        reason = f"signed for namespace {namespace!r}, not {NAMESPACE!r}"
    return Verification(False, reason, fp)
