"""Shared file-system writes: readers see the old file or directory or the new one, never half.

One atomic file write (temporary file in the same directory, fsync, rename; or, with
``exclusive``, a hard link that refuses to overwrite) and one build-then-swap directory
(built beside the target, then exchanged in one step where the OS allows it).

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reviewkit.base.errors import EnvError, UsageError


def umask() -> int:
    """The process's umask (reading it means setting it: set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes | Iterable[bytes], *,
                 exclusive: bool = False, private: bool = False) -> None:
    """Write ``path`` whole: a temporary file beside it, fsync, then rename. The file gets
    the mode any new file gets here (0666 less the umask), or 0600 when ``private`` (the
    cache, its key, the remembered records).

    ``data`` may be text (UTF-8), bytes, or byte chunks (written in turn: no second copy
    in memory). With ``exclusive`` the file is linked into place instead, which refuses an
    existing target (FileExistsError): no overwrite, no race. The temporary file is removed
    whatever happens.
    """
    # tempfile (which imports shutil) here, not at the top: ~9 ms of the start-up of
    # commands that write nothing
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # made 0600
    try:
        if not private:
            os.fchmod(fd, 0o666 & ~umask())
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, str):
                fh.write(data.encode("utf-8"))
            elif isinstance(data, bytes):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):  # gone after a rename; left after a link or error
            os.unlink(tmp)


def check_output_dir(out: Path, marker: str, what: str, kind: str) -> None:
    """Refuse to replace ``out`` unless it is absent, empty, or an earlier output of ours
    (it holds ``marker``). A symbolic link is refused too: the swap would replace the link,
    not what it points to. ``what`` names the output in messages (the directory, or the
    option that gave it); ``kind`` what we write there ("bundle", "dashboard")."""
    if out.is_symlink():
        raise UsageError(f"{what}: is a symbolic link; name the directory itself")
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"{what}: exists and is not a directory")
        if any(out.iterdir()) and not (out / marker).is_file():
            raise UsageError(f"{what}: not empty and not an earlier reviewkit {kind} "
                             f"(no {marker}); refusing to replace it")


@contextmanager
def staged_directory(out: Path, *, mode: int | None = None) -> Iterator[Path]:
    """A new directory beside ``out`` to build in; swapped in for ``out`` when the block
    ends without an exception, removed when it raises. ``mode`` defaults to mkdtemp's 0700.
    A directory that cannot be made, written or swapped in is an :class:`EnvError` (a
    full disk, a read-only or missing place), never a crash."""
    import shutil
    import tempfile

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.building-"))
    except OSError as exc:
        raise EnvError(f"{out}: cannot create the output directory there: "
                       f"{exc.strerror or exc}") from None
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        yield tmp
        swap_directory(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EnvError(f"{exc.filename or out}: {exc.strerror or exc} (writing {out}; "
                       "nothing was replaced)") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(rc == 0)


def swap_directory(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new``: one atomic exchange where the OS has it, else two renames.

    The old directory is removed only afterwards.
    """
    import shutil
    import tempfile

    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old directory
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
