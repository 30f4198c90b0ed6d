"""`reviewkit verify DIR`: a bundle checked offline, outside any repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BODY, Project, article, rk

A = "content/articles/coping-with-worry.md"
PNG = b"\x89PNG\r\n\x1a\n" + b"a chart" * 20


@pytest.fixture
def bundle(project: Project, tmp_path: Path) -> Path:
    """An html bundle with an image, copied to a directory outside any repository."""
    project.repo.write("content/articles/img/chart.png", PNG)
    project.repo.write(A, article(body=BODY.replace(
        "Plain words about the topic.", "Plain words.\n\n![A chart](img/chart.png)")))
    project.repo.commit("chart")
    for key, who in ((project.reviewer, "dwhitfield"), (project.second, "mokafor")):
        r = project.rk("approve", str(project.path / A), "--key", str(key.private), "--as", who)
        assert r.code == 0, r.output
    out = tmp_path / "built"
    assert project.rk("publish", "--out", str(out), "--format", "html").code == 0
    away = tmp_path / "elsewhere" / "bundle"
    away.parent.mkdir()
    shutil.copytree(out, away)
    return away


def test_fresh_bundle_verifies_outside_any_repository(bundle: Path) -> None:
    r = rk("verify", str(bundle), cwd=bundle.parent)
    assert r.code == 0, r.output
    assert "bundle verified: 1 article, 2 signatures" in r.out


def _flip(path: Path, needle: bytes | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = data.index(needle) if needle else len(data) // 2
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("target", [
    "coping-with-worry.html",
    "img/chart.png",
    "manifest.json",
    "review-record/signatures/coping-with-worry-1-mokafor.sig",
    "review-record/sources/coping-with-worry.md.txt",
    "review-record/reviewers.json",
    "review-record/allowed_signers",
])
def test_one_changed_byte_fails_naming_the_file(bundle: Path, target: str) -> None:
    _flip(bundle / target)
    r = rk("verify", str(bundle), cwd=bundle.parent)
    assert r.code == 1, r.output
    assert target in r.out, r.out


def test_rehashed_tampering_is_still_caught(bundle: Path) -> None:
    """Someone who edits a page and fixes the hashes in the manifest still fails: the
    approved source's digest and the signatures do not follow."""
    import hashlib

    from reviewkit.outputs.publish import manifest_integrity

    src = bundle / "review-record/sources/coping-with-worry.md.txt"
    src.write_text(src.read_text().replace("Plain words.", "Unreviewed advice."))
    m = json.loads((bundle / "manifest.json").read_text())
    m["files"]["review-record/sources/coping-with-worry.md.txt"] = hashlib.sha256(
        src.read_bytes()).hexdigest()
    m["integrity"] = manifest_integrity(m)
    (bundle / "manifest.json").write_text(json.dumps(m))
    r = rk("verify", str(bundle), cwd=bundle.parent)
    assert r.code == 1
    assert "review-record/sources/coping-with-worry.md.txt: its digest is" in r.out


def test_byline_must_name_the_signer(bundle: Path) -> None:
    import hashlib

    from reviewkit.outputs.publish import manifest_integrity

    page = bundle / "coping-with-worry.html"
    page.write_text(page.read_text().replace("Michael Okafor, MD", "Someone Else, MD"))
    m = json.loads((bundle / "manifest.json").read_text())
    m["files"]["coping-with-worry.html"] = hashlib.sha256(page.read_bytes()).hexdigest()
    m["integrity"] = manifest_integrity(m)
    (bundle / "manifest.json").write_text(json.dumps(m))
    r = rk("verify", str(bundle), cwd=bundle.parent)
    assert r.code == 1
    assert "coping-with-worry.html: its byline does not name Michael Okafor, MD" in r.out


def test_extra_file_is_named(bundle: Path) -> None:
    (bundle / "injected.html").write_text("<p>unreviewed</p>")
    r = rk("verify", str(bundle), cwd=bundle.parent)
    assert r.code == 1 and "injected.html: is in the bundle but not in manifest.json" in r.out


def test_allowed_signers_works_with_ssh_keygen(bundle: Path) -> None:
    """docs/signing.md's command, run by hand on the bundle's own files."""
    m = json.loads((bundle / "manifest.json").read_text())
    approvals = m["articles"][0]["approvals"]
    assert len(approvals) == 2
    for a in approvals:
        at = a["at"][:19].replace("-", "").replace("T", "").replace(":", "") + "Z"
        with open(bundle / a["message_file"], "rb") as message:
            proc = subprocess.run(
                ["ssh-keygen", "-Y", "verify", "-f", str(bundle / m["allowed_signers"]),
                 "-I", a["actor"], "-n", "reviewkit", "-s", str(bundle / a["signature_file"]),
                 "-O", f"verify-time={at}"],
                stdin=message, capture_output=True, text=True, check=False,
                env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0, proc.stderr + proc.stdout
        assert f'Good "reviewkit" signature for {a["actor"]}' in proc.stdout + proc.stderr
    # and it refuses the other reviewer's principal
    a = approvals[0]
    other = "mokafor" if a["actor"] == "dwhitfield" else "dwhitfield"
    with open(bundle / a["message_file"], "rb") as message:
        proc = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(bundle / m["allowed_signers"]),
             "-I", other, "-n", "reviewkit", "-s", str(bundle / a["signature_file"])],
            stdin=message, capture_output=True, check=False)
    assert proc.returncode != 0


def test_verify_of_a_non_bundle_is_a_clean_failure(tmp_path: Path) -> None:
    r = rk("verify", str(tmp_path), cwd=tmp_path)
    assert r.code == 1 and "manifest.json: cannot be read" in r.out
    (tmp_path / "manifest.json").write_text("[1, 2")
    r = rk("verify", str(tmp_path), cwd=tmp_path)
    assert r.code == 1 and "Traceback" not in r.output
