"""Every file an operator hands the tool is read as a plain file, with a cap.

A script, an imported public key, ``--secrets``, ``--answers``, a ``--share``
file or image, a DCT trust dir's files, the Notary server's key files and a
bundle's key index given to ``ceremony tokens``: a pipe or device (``/dev/zero``)
is refused before anything is read from it, a symbolic link is not
followed, and a file past its kind's cap is refused before it is read whole.
Each refusal is one clear message; nothing is written.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_run_headless import PASS, small_bootstrap

from ceremony.cli import main
from ceremony.custody import ShareCollector
from ceremony.custody.errors import ShareFormatError
from ceremony.engine.preflight import preflight
from ceremony.errors import BundleError, ScriptError
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.serverkeys import load_server_keys
from ceremony.flavors.dct.state import METADATA, ROOT, read_bounded
from ceremony.script.load import MAX_SCRIPT_BYTES, load_script, load_script_text
from ceremony.verify.limits import METADATA_MAX_BYTES, ROOT_MAX_BYTES

PLAIN_ONLY = "is not a plain file (a pipe, device or socket)"


@contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the suite, when a read blocks."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def passphrases(monkeypatch):
    for name, value in PASS.items():
        monkeypatch.setenv(name, value)


def left_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# -- the script ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_a_script_that_is_no_plain_file_is_refused(tmp_path, fifo, kind, capsys):
    script = {"fifo": fifo, "device": Path("/dev/zero"), "link": tmp_path / "link.yaml"}[kind]
    if kind == "link":
        script.symlink_to(small_bootstrap(tmp_path))
    with within(10):
        code = main(["validate", str(script)])
    what = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert (code, capsys.readouterr().err) == (1, (
        f"ceremony: {script}: the script {what}. Give the reviewed script file itself, a plain "
        "file\n"
    ))


def test_a_50_mb_script_is_refused_at_once(tmp_path):
    script = small_bootstrap(tmp_path)
    with open(script, "a") as file:
        file.write("# " + "x" * 50_000_000 + "\n")
    started = time.monotonic()
    with pytest.raises(ScriptError) as caught:
        load_script(script)
    assert time.monotonic() - started < 2
    assert str(caught.value) == (
        f"{script}: the script is larger than the 1,048,576 bytes a script may be. A ceremony "
        "script is a page or two of YAML: give the reviewed script"
    )
    with pytest.raises(ScriptError, match="larger than the 1,048,576 bytes"):
        load_script_text("#" * (MAX_SCRIPT_BYTES + 1))


# -- imported public keys -----------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_an_import_that_is_no_plain_file_fails_preflight(tmp_path, kind, passphrases, capsys):
    script = small_bootstrap(tmp_path)
    target = tmp_path / "online" / "targets.pem"
    if kind == "fifo":
        target.unlink()
        os.mkfifo(target)
    elif kind == "link":
        target.rename(tmp_path / "elsewhere.pem")
        target.symlink_to(tmp_path / "elsewhere.pem")
    else:
        script.write_text(script.read_text().replace("online/targets.pem", "/dev/zero"))
        target = Path("/dev/zero")
    with within(10):
        code = main(["validate", str(script)])
    out = capsys.readouterr().out
    what = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert code == 1
    assert (
        f"   [FAIL] key targets: {target}: the public key file {what}. name the "
        "key file itself: only plain files are read, never through a link\n"
    ) in out
    assert not (tmp_path / "out").exists()


def test_an_oversized_import_fails_preflight(tmp_path, passphrases, capsys):
    script = small_bootstrap(tmp_path)
    target = tmp_path / "online" / "targets.pem"
    target.write_bytes(b"A" * 70_000)
    assert main(["validate", str(script)]) == 1
    assert (f"[FAIL] key targets: {target}: is too large to be a public key (70,000 bytes, "
            "more than the 64,000 allowed). export the public key again from the online "
            "system and name that file: a PEM public key takes under 1 kB\n"
            ) in capsys.readouterr().out


# -- --secrets and --answers --------------------------------------------------

@pytest.mark.parametrize("option,what", [("--secrets", "secrets"), ("--answers", "answers")])
@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_secrets_and_answers_files_must_be_plain_files(
    tmp_path, fifo, passphrases, capsys, option, what, kind
):
    script = small_bootstrap(tmp_path)
    given = {"fifo": fifo, "device": Path("/dev/zero"), "link": tmp_path / "linked.yaml"}[kind]
    if kind == "link":
        real = tmp_path / "real.yaml"
        real.write_text("root-a: correct horse battery 9\n")
        real.chmod(0o600)
        given.symlink_to(real)
    before = left_in(tmp_path)
    with within(10):
        code = main(["run", str(script), "--yes", option, str(given)])
    shown = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert (code, capsys.readouterr().err) == (3, (
        f"ceremony: {given}: the {what} file {shown}. give the file itself: only plain files "
        "are read, never through a link\n"
    ))
    assert left_in(tmp_path) == before


def test_an_oversized_secrets_file_is_refused_before_it_is_read_whole(
    tmp_path, passphrases, capsys
):
    script = small_bootstrap(tmp_path)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-a: correct horse battery 9\n" + "# padding\n" * 10_000)
    secrets.chmod(0o600)
    assert main(["run", str(script), "--yes", "--secrets", str(secrets)]) == 3
    assert capsys.readouterr().err == (
        f"ceremony: {secrets}: the secrets file is larger than the 65,536 bytes it may be. "
        "give the file of `name: value` lines itself\n"
    )
    assert not (tmp_path / "out").exists()


# -- --share files and images -------------------------------------------------

@pytest.mark.parametrize("suffix", ["", ".png"])
@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_a_share_file_or_image_must_be_a_plain_file(tmp_path, kind, suffix):
    given = tmp_path / f"share{suffix}"
    if kind == "fifo":
        os.mkfifo(given)
    elif kind == "link":
        (tmp_path / "real").write_text("academic acid\n")
        given.symlink_to(tmp_path / "real")
    else:
        given = Path("/dev/zero")
    collector = ShareCollector()
    with within(10), pytest.raises(ShareFormatError) as caught:
        (collector.add_image if suffix else collector.add_file)(given)
    shown = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert str(caught.value) == (
        f"share 1 ({given}): {given} {shown}. give the share's file itself, a plain file"
    )
    assert collector.count == 0


def test_an_oversized_share_image_is_refused_before_it_is_decoded(tmp_path):
    image = tmp_path / "scan.png"
    with open(image, "wb") as file:
        file.truncate(33 * 1024 * 1024)
    with pytest.raises(ShareFormatError) as caught:
        ShareCollector().add_image(image)
    assert str(caught.value) == (
        f"share 1 ({image}): {image} is far larger than a scan of a share sheet. give the "
        "share's own file"
    )


# -- DCT: trust dirs, published metadata, the server's keys ---------------------

@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_dct_files_are_read_as_plain_files_only(tmp_path, fifo, kind):
    given = {"fifo": fifo, "device": Path("/dev/zero"), "link": tmp_path / "root.json"}[kind]
    if kind == "link":
        given.symlink_to("/etc/hostname")
    with within(10), pytest.raises(BundleError) as caught:
        read_bounded(given)
    shown = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert str(caught.value) == f"{given}: {shown}; only plain files are read"


def test_dct_files_are_read_up_to_verifys_limit_for_their_kind(tmp_path):
    """A server's targets.json of up to verify's 5,000,000 bytes is read whole (it was
    refused above 4 MiB, though a bundle may hold it); one byte more, or a root above
    a root's 512,000, is refused with its size, the limit and what to do."""
    targets = tmp_path / "targets.json"
    with open(targets, "wb") as file:
        file.truncate(METADATA_MAX_BYTES)
    assert len(read_bounded(targets)) == METADATA_MAX_BYTES
    with open(targets, "ab") as file:
        file.write(b" ")
    root = tmp_path / "root.json"
    with open(root, "wb") as file:
        file.truncate(ROOT_MAX_BYTES + 1)
    for given, kind, size, limit, what in (
        (targets, METADATA, "5,000,001", "5,000,000", "metadata file"),
        (root, ROOT, "512,001", "512,000", "root file"),
    ):
        with pytest.raises(BundleError) as caught:
            read_bounded(given, kind=kind)
        assert str(caught.value) == (
            f"{given}: is {size} bytes, more than the {limit} allowed (verify's limit for a "
            f"{what}): no client or bundle holds one this large; find out what wrote it")


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_the_notary_servers_key_files_are_read_as_plain_files_only(tmp_path, kind):
    folder = tmp_path / "docker.io" / "acme" / "app"
    folder.mkdir(parents=True)
    key = folder / "timestamp.key"
    if kind == "fifo":
        os.mkfifo(key)
    else:
        key.symlink_to("/dev/zero")
    with within(10), pytest.raises(DctError) as caught:
        load_server_keys(tmp_path, "docker.io/acme/app", snapshot=False)
    shown = "is a symbolic link" if kind == "link" else PLAIN_ONLY
    assert str(caught.value) == (
        f"{key}: the timestamp key file {shown}; only plain files are read. copy the file "
        "itself onto the media (scripts/dct-fetch-keys writes plain files); nothing was signed"
    )


def test_a_notary_servers_key_file_larger_than_a_key_file_is_refused_with_its_size(tmp_path):
    """A key file the size of a small document: its size, the one key file limit and
    what to do, before it is read."""
    folder = tmp_path / "docker.io" / "acme" / "app"
    folder.mkdir(parents=True)
    key = folder / "timestamp.key"
    with open(key, "wb") as file:
        file.truncate(10**6)  # sparse
    with pytest.raises(DctError) as caught:
        load_server_keys(tmp_path, "docker.io/acme/app", snapshot=False)
    assert str(caught.value) == (
        f"{key}: the timestamp key file is too large to be a key (1,000,000 bytes, more than "
        "the 64,000 allowed). Run scripts/dct-fetch-keys for this GUN again and bring the "
        "media back: a server's key file takes some 200 bytes; nothing was signed"
    )


def test_a_rotation_reads_the_servers_new_key_files_by_the_same_rule(dct_rehearsal, tmp_path):
    """A rotation's server-keys: (a new timestamp key) is read as a bootstrap's is: a
    key file the size of a small document is refused in the same words, at preflight."""
    folder, _printed = dct_rehearsal
    text = (folder / "3-rotate-root.yaml").read_text()
    for name in ("2-delegate/publish", "2-delegate"):
        text = text.replace(f": {name}\n", f": {folder / name}\n", 1)
    (tmp_path / "rotate.yaml").write_text(text + f"server-keys: {tmp_path / 'keys'}\n")
    gun = "registry.example.com/rehearsal/app"
    (tmp_path / "keys" / gun).mkdir(parents=True)
    key = tmp_path / "keys" / gun / "timestamp.key"
    with open(key, "wb") as file:
        file.truncate(10**6)  # sparse
    failures = preflight(load_script(tmp_path / "rotate.yaml")).failures
    assert [(c.check, c.detail) for c in failures if c.check.startswith("server keys")] == [(
        f"server keys {gun}",
        f"{key}: the timestamp key file is too large to be a key (1,000,000 bytes, more than "
        "the 64,000 allowed). Run scripts/dct-fetch-keys for this GUN again and bring the "
        "media back: a server's key file takes some 200 bytes; nothing was signed",
    ), (
        "server keys registry.example.com/rehearsal/db",
        f"the Notary server's keys for registry.example.com/rehearsal/db are not on the media "
        f"at {tmp_path / 'keys'}; run scripts/dct-fetch-keys (--rotate timestamp or snapshot "
        "for a new key) for this GUN and bring the media back",
    )]


def test_a_key_index_given_to_tokens_is_read_as_a_plain_file_only(tmp_path, capsys):
    (tmp_path / "keys").mkdir()
    os.mkfifo(tmp_path / "keys" / "index.json")
    with within(10):
        code = main(["tokens", "--module", "/nonexistent.so", "--bundle", str(tmp_path)])
    assert code == 3
    assert capsys.readouterr().err == (
        f"ceremony: {tmp_path}/keys/index.json: {PLAIN_ONLY}. name a bundle folder written by "
        "ceremony\n"
    )


def test_a_share_image_of_too_many_pixels_is_refused_before_it_is_decoded(tmp_path):
    from PIL import Image

    image = tmp_path / "huge.png"
    Image.new("1", (9000, 8000)).save(image)  # small on disk: one colour
    assert image.stat().st_size < 1024 * 1024
    with pytest.raises(ShareFormatError) as caught:
        ShareCollector().add_image(image)
    assert str(caught.value) == (
        f"share 1 ({image}): {image} is 9000 x 8000 pixels, far larger than a scan of a share "
        "sheet. scan the sheet at 300 dpi, or type the words"
    )


def test_a_secrets_file_naming_a_key_twice_is_refused(tmp_path, passphrases, capsys):
    script = small_bootstrap(tmp_path)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("root-a: correct horse battery 8\nroot-a: correct horse battery 9\n")
    secrets.chmod(0o600)
    assert main(["run", str(script), "--yes", "--secrets", str(secrets)]) == 3
    err = capsys.readouterr().err
    assert err == (
        f"ceremony: {secrets}: the secrets file names 'root-a' twice. keep one line for it: "
        "which of the two was meant cannot be guessed\n"
    )
    assert "battery" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_attestation_intermediates_are_read_as_a_plain_file_only(tmp_path, fifo, kind):
    from hsm.yubikey.errors import AttestationError
    from hsm.yubikey.pki import load_certificates

    given = {"fifo": fifo, "device": "/dev/zero", "link": tmp_path / "linked.pem"}[kind]
    if kind == "link":
        (tmp_path / "real.pem").write_text("")
        given.symlink_to(tmp_path / "real.pem")
    with within(10), pytest.raises(AttestationError) as caught:
        load_certificates(str(given), "attestation intermediates")
    why = "a symbolic link" if kind == "link" else "not a plain file"
    assert str(caught.value).startswith(
        f"the attestation intermediates file {given} cannot be read as PEM certificates ({why})"
    )
