"""Property tests of the readers of hostile input: only the tool's own errors.

Hypothesis feeds each reader text and bytes built from the pieces its format
is made of (YAML indicators, JSON fields of TUF and notary metadata, SLIP-39
words, PEM and age armour) and from real files the tool wrote, changed at
random. Whatever comes in, a reader returns a value or raises the tool's own
error, carrying a message; any other exception (a KeyError, a RecursionError,
a UnicodeDecodeError, a ValueError from int()) is a traceback an operator
would see, and fails the test. Example counts are kept modest: the suite
runs on every change.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from bundle_factory import BundleMaker
from custody_helpers import make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_scripts import BOOTSTRAP

from ceremony.custody import ShareCollector
from ceremony.custody.errors import CustodyError, ShareInputError
from ceremony.custody.share_input import words_from_text
from ceremony.custody.words import WORDLIST
from ceremony.engine.public_keys import read_public_key
from ceremony.errors import CeremonyError, ScriptError
from ceremony.flavors.dct.notary.errors import DctError
from ceremony.flavors.dct.notary.keyfiles import pem_decode
from ceremony.flavors.dct.notary.model import Metadata as NotaryMetadata
from ceremony.flavors.tuf.verify.metadata import read_metadata
from ceremony.script.load import load_script_text
from ceremony.script.yamlload import load_yaml
from ceremony.verify import judge_bundle
from ceremony.verify.contents import BundleContents
from ceremony.verify.errors import MalformedJSONError, UnusableKeyError
from ceremony.verify.keys import identity_of_pem
from ceremony.verify.strict_json import parse_json
from hsm.errors import AgeError, KeyBackendError
from hsm.software import SoftwareKey

# PROPERTY_EXAMPLES=2000 for a longer hunt than the suite's
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "120"))
SOME = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=max(EXAMPLES // 3, 1), deadline=None,
               suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)


def spliced(original: str | bytes, pieces: st.SearchStrategy) -> st.SearchStrategy:
    """``original`` with one slice replaced by what ``pieces`` draws."""
    @st.composite
    def splice(draw):
        start = draw(st.integers(0, len(original)))
        end = draw(st.integers(start, min(len(original), start + 40)))
        return original[:start] + draw(pieces) + original[end:]
    return splice()


# YAML: the script loader ------------------------------------------------------------

YAML_PIECES = st.sampled_from([
    ": ", "- ", "&a ", "*a", "!!str ", "!!int ", "!x ", "{", "}", "[", "]", ", ", "\n", "  ",
    "---\n", "...\n", "'", '"', "\\", "%YAML 1.1\n", "? ", "|\n", ">-\n", "# ", "\t", "<<: ",
    "\x1b", "\x00", "\ufeff", "\u2028", "0x1F", "1e400", "9" * 5000, ".nan", "yes", "~", "null",
    "root-a", "threshold", "keys", "roles", "output", "import", "custody", "=", "@", "`",
])
YAML_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(YAML_PIECES, max_size=40).map("".join),
    spliced(BOOTSTRAP, st.lists(YAML_PIECES, max_size=6).map("".join)),
)


@SOME
@given(YAML_TEXT)
def test_the_yaml_loader_raises_only_script_errors(text):
    try:
        load_yaml(text, "script.yaml")
    except ScriptError as error:
        assert str(error).startswith("script.yaml")


@SOME
@given(spliced(BOOTSTRAP, st.lists(YAML_PIECES, max_size=6).map("".join)))
def test_loading_a_whole_script_raises_only_ceremony_errors(text):
    try:
        load_script_text(text, path=Path("/nowhere/script.yaml"), base_dir=Path("/nowhere"),
                         now=NOW)
    except CeremonyError as error:
        assert str(error)


# JSON and the metadata readers (TUF and notary) -------------------------------------

FIELDS = ["signed", "signatures", "_type", "version", "expires", "spec_version", "keys",
          "roles", "keyids", "threshold", "keytype", "scheme", "keyval", "public", "keyid",
          "sig", "consistent_snapshot", "delegations", "paths", "name", "terminating",
          "method", "meta", "length", "hashes", "sha256", "targets", "root", "x-extra"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2**70), st.sampled_from(
        ["root", "targets", "1.0.31", "2.0", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.5Z",
         "ed25519", "ecdsa", "ecdsa-x509", "rsa", "rsassa-pss-sha256", "ab" * 32, "zz",
         "", "*", "../x"]),
    st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6)),
    max_leaves=30,
)


@cache
def made_bundle() -> dict[str, bytes]:
    """The files of a good bundle of three root versions, made once."""
    maker = BundleMaker()
    maker.rotate()
    maker.rotate()
    files = maker.bundle_files()
    path = maker.write(Path(__import__("tempfile").mkdtemp()) / "bundle")
    for file in path.rglob("*"):
        if file.is_file():
            files[file.relative_to(path).as_posix()] = file.read_bytes()
    return files


def json_bytes(value) -> bytes:
    return json.dumps(value).encode()


METADATA_BYTES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(json_bytes),
    st.builds(lambda signed, sigs: json_bytes({"signed": signed, "signatures": sigs}),
              JSON_VALUES, st.lists(JSON_VALUES, max_size=3)),
    st.deferred(lambda: spliced(made_bundle()["metadata/2.root.json"], st.binary(max_size=12))),
)


@SOME
@given(st.one_of(st.binary(max_size=300), JSON_VALUES.map(json_bytes),
                 st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"a":', b"1", b",", b"1e9",
                                           b"NaN", b'"\\ud800"', b"\xff", b"-0"]),
                          max_size=60).map(b"".join)))
def test_strict_json_raises_only_malformed_json(data):
    try:
        parse_json(data)
    except MalformedJSONError as error:
        assert str(error)


@SOME
@given(METADATA_BYTES, st.sampled_from(["root", "targets"]))
def test_the_tuf_metadata_reader_never_raises(data, kind):
    problems = []
    read_metadata("metadata/x.json", data, kind, problems)
    assert all(problem.where == "metadata/x.json" for problem in problems)


@FEW
@given(st.sampled_from(["metadata/1.root.json", "metadata/2.root.json", "metadata/root.json",
                        "metadata/targets.json", "keys/index.json", "MANIFEST.json",
                        "transcript.jsonl", "keys/public/root-3.pem"]),
       st.data())
def test_verify_judges_any_bundle_file_without_raising(path, data):
    files = dict(made_bundle())
    files[path] = data.draw(st.one_of(METADATA_BYTES, spliced(files[path], st.binary(
        max_size=12))))
    report = judge_bundle(BundleContents.from_bytes(files), NOW)
    assert report.ok == same_meaning(path, files[path], made_bundle()[path])


def same_meaning(path: str, changed: bytes, original: bytes) -> bool:
    """Every file but the manifest is held by a digest in it, so any change counts;
    the manifest holds no digest of itself, so only a change of what it says does."""
    if changed == original:
        return True
    if path != "MANIFEST.json":
        return False
    try:  # read as verify reads it: duplicate names, NaN and the like are refused
        return parse_json(changed) == parse_json(original)
    except MalformedJSONError:
        return False


@cache
def notary_files() -> dict[str, bytes]:
    """A GUN's first root, targets, snapshot and timestamp, as notary lays them out."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from ceremony.flavors.dct.notary.keyids import key_for_public_key
    from ceremony.flavors.dct.notary.repository import bootstrap_gun
    from ceremony.flavors.dct.notary.serverkeys import ServerKeys
    from hsm.algorithms import ALGORITHMS

    def key():
        return SoftwareKey.generate(ALGORITHMS["ecdsa-p256"])

    server = ServerKeys(*(key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
                          for _ in range(2)))
    made = bootstrap_gun("registry.example.com/app", root_signers=[key()],
                         targets_signers=[key()], server_keys=server, now=NOW)
    return dict(made.files)


NOTARY_BYTES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(json_bytes),
    st.builds(lambda signed, sigs: json_bytes({"signed": signed, "signatures": sigs}),
              JSON_VALUES, st.lists(JSON_VALUES, max_size=3)),
    st.deferred(lambda: st.sampled_from(sorted(notary_files())).flatmap(
        lambda role: spliced(notary_files()[role], st.binary(max_size=12)))),
)


@SOME
@given(NOTARY_BYTES)
def test_the_notary_metadata_reader_raises_only_dct_errors(data):
    try:
        NotaryMetadata.from_bytes(data, "registry.example.com/app root.json")
    except DctError as error:
        assert str(error)


# shares -----------------------------------------------------------------------------

SHARE_PIECES = st.one_of(st.sampled_from(WORDLIST), st.sampled_from(
    ["01", "1.", "33)", "99", "#", ",", "\n", "--- share words ---",
     "--- end of share words ---", "\x1b[2J", "\u0430cademic", "ACADEMIC"]),
    st.text(max_size=6))
SHARE_TEXT = st.lists(SHARE_PIECES, max_size=40).map(" ".join)


@cache
def custody():
    return make()


@SOME
@given(SHARE_TEXT)
def test_the_share_text_reader_raises_only_share_input_errors(text):
    try:
        words_from_text(text)
    except ShareInputError as error:
        assert error.what


@SOME
@given(st.one_of(SHARE_TEXT, st.lists(st.sampled_from(WORDLIST), min_size=33, max_size=33)
                 .map(" ".join), st.deferred(lambda: spliced(
                     " ".join(custody().shares.shares[0].words), SHARE_TEXT))))
def test_the_share_collector_raises_only_custody_errors(text):
    collector = ShareCollector(custody().record)
    try:
        collector.add(text, source="hypothesis")
        collector.recover()
    except CustodyError as error:
        assert str(error).startswith(("share ", "shares", "not enough", "the shares")) or str(
            error)


# key files --------------------------------------------------------------------------

# Test fixture note: PEM armour lines and public-key DER prefixes only, pieces the
# key readers are fuzzed with; no private key is in this file.
PEM_PIECES = st.sampled_from([
    b"-----BEGIN PUBLIC KEY-----\n", b"-----END PUBLIC KEY-----\n",
    b"-----BEGIN PRIVATE KEY-----\n", b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
    b"-----BEGIN CERTIFICATE-----\n", b"MCowBQYDK2VwAyEA", b"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    b"Proc-Type: 4,ENCRYPTED\n", b"role: root\n", b"gun: x\n", b"path: k\n", b"\n", b"=",
    b"AAAA", b"\xff", b"{", b'"keyval": {"public": "00"}', b'"keytype": "ed25519"',
])
KEY_FILE_BYTES = st.one_of(st.binary(max_size=200), st.lists(PEM_PIECES, max_size=20)
                           .map(b"".join))
AGE_PIECES = st.sampled_from([
    b"age-encryption.org/v1\n", b"-> scrypt ", b"-> X25519 ", b"c2FsdHNhbHRzYWx0c2FsdA ",
    b"18\n", b"30\n", b"-1\n", b"--- ", b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    b"\n", b" ", b"\xff", b"-----BEGIN AGE ENCRYPTED FILE-----\n",
])


@SOME
@given(KEY_FILE_BYTES)
def test_the_pem_identity_reader_raises_only_unusable_key(data):
    try:
        identity_of_pem(data)
    except UnusableKeyError as error:
        assert str(error)


def _public_pems() -> list[bytes]:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    keys = [ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1()),
            ec.generate_private_key(ec.SECP384R1())]
    return [k.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            for k in keys]


PUBLIC_PEMS = _public_pems()


@SOME
@given(st.one_of(
    st.sampled_from(PUBLIC_PEMS),
    st.sampled_from(PUBLIC_PEMS).flatmap(lambda pem: spliced(pem, st.one_of(
        st.binary(max_size=3), st.sampled_from([b"\n", b"\r\n", b"=", b" ", b"A", b"BA"])))),
    KEY_FILE_BYTES,
))
def test_the_quick_pem_reader_reads_keys_as_cryptography_does(pem):
    """verify's PEM reader (spki.py) takes the usual forms without loading
    cryptography's serialization package: same keys, same refusals, same identity."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    from ceremony.verify.spki import load_pem_public_key, spki_der

    def read(loader):
        try:
            return loader(pem)
        except (ValueError, UnsupportedAlgorithm):
            return None

    found, expected = read(load_pem_public_key), read(serialization.load_pem_public_key)
    assert (found is None) == (expected is None)
    if expected is not None:
        assert spki_der(found) == expected.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@SOME
@given(st.one_of(KEY_FILE_BYTES, st.lists(st.sampled_from([
    b"{", b"}", b'"keytype": ', b'"scheme": ', b'"keyval": ', b'{"public": ', b'"ed25519"',
    b'"ecdsa"', b'"rsa"', b'"00"', b'"zz"', b", ", b"[", b"]", b"1"]), max_size=30)
    .map(b"".join)))
def test_the_public_key_import_reader_raises_only_preflight_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("import") / "key.pem"
    path.write_bytes(data)
    try:
        read_public_key(path, "targets")
    except CeremonyError as error:
        assert str(error).startswith(f"key targets: {path}")


@SOME
@given(st.one_of(st.binary(max_size=200), st.lists(AGE_PIECES, max_size=12).map(b"".join)))
def test_the_key_file_opener_raises_only_key_backend_errors(data):
    try:
        SoftwareKey.decrypt(data, "a passphrase of some length", "keys/offline/root-a.age")
    except (KeyBackendError, AgeError) as error:
        assert str(error)


@SOME
@given(KEY_FILE_BYTES)
def test_the_notary_key_file_reader_raises_only_key_file_errors(data):
    try:
        pem_decode(data, "private/abc.key")
    except DctError as error:
        assert str(error)
