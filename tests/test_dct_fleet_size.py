"""How many GUNs one DCT bundle holds: refused before any key is made, and the bound
held against real bundles.

A script listing more GUNs than a bundle can hold is refused by `ceremony
validate` (and so by `run` and `request`) with the count, the most it holds
with the script's root keys, where the GUNs are listed and what to do; one at
the bound loads. The bound (ceremony/flavors/dct/fleet_size.py) is checked
against real rehearsal bootstraps of a few GUNs: what each ceiling grows by
for one more GUN, and for one more root key, must stay within the figures the
bound uses and not far below them, so a change that grows a bundle's bytes a
GUN fails here until the bound is measured again. A signing request's
signature files are held to theirs the same way (ceremony/sittings/signature_size.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from media_devices import tmpfs
from test_dct_recover import RECOVER as RECOVERY
from test_dct_recover import Custodians

from ceremony.cli import main
from ceremony.engine import run_ceremony, utc_now
from ceremony.engine.preflight import preflight
from ceremony.engine.preflight_result import PreflightResult
from ceremony.errors import CeremonyError, PreflightError, ScriptError
from ceremony.flavors.dct.current import read_dct_bundle
from ceremony.flavors.dct.fleet_size import (
    GROWTH,
    MARGIN,
    Fleet,
    bound,
    check_fleet_size,
    fleet_of,
    note_bundle_room,
    root_keys_kept,
)
from ceremony.flavors.dct.notary.keyids import key_for_public_key
from ceremony.rehearsal.operator import RehearsalOperator
from ceremony.script.load import load_script, load_script_text
from ceremony.script.plan import Plan
from ceremony.sittings.adapter import Group, Payload, RequestKey
from ceremony.sittings.request import make_request
from ceremony.sittings.request_file import write_request
from ceremony.sittings.seal import seal_request
from ceremony.sittings.sign import KeyChoice, sign_request, write_signature_file
from ceremony.sittings.signature_file import LIMIT
from ceremony.sittings.signature_size import (
    entry_bytes,
    most_signature_bytes,
    refuse_oversized,
    signatures_bytes,
    too_many_for_one_key,
)
from ceremony.verify.limits import KEPT_TOTAL_BYTES, kept_limit, kept_quietly

ROOT_KEYS = ("root-a", "root-b", "root-c")


def gun(number: int) -> str:
    return f"registry.example.com/fleet/repo-{number:05d}"


def bootstrap(guns: list[str], root_keys: int = 1, *, server_keys: bool = True,
              snapshot: bool = False) -> str:
    keys = ROOT_KEYS[:root_keys]
    lines = "".join(f"  - {{name: {k}, holder: {k[-1]}, algorithm: ecdsa-p256}}\n" for k in keys)
    holders = ", ".join(f"{{name: {k[-1]}}}" for k in keys)
    spare = "spare-keys: none\naccept-risk: a test root\n" if root_keys == 1 else ""
    return f"""\
format: 1
ceremony: bootstrap
flavor: dct
rehearsal: true
title: a fleet of {len(guns)} GUNs
output: out
server-keys: {"server-keys" if server_keys else "nowhere"}
keyholders: [{holders}, {{name: ci}}]
keys:
{lines}  - {{name: repo, holder: ci, algorithm: ecdsa-p256}}
{"  - {name: snap, holder: ci, algorithm: ecdsa-p256}" + chr(10) if snapshot else ""}\
roles:
  root: {{keys: [{", ".join(keys)}], threshold: {min(root_keys, 2)}}}
  targets: {{keys: [repo]}}
{"  snapshot: {keys: [snap]}" + chr(10) + "snapshot: offline" + chr(10) if snapshot else ""}\
{spare}guns:
{"".join(f"  - {g}{chr(10)}" for g in guns)}"""


# -- the refusal ----------------------------------------------------------------


def test_a_fleet_past_the_bound_is_refused_by_validate_with_where_and_what_to_do(
    tmp_path, capsys
):
    most = bound(Fleet.of([gun(0)], 1)).most
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap([gun(n) for n in range(most + 1)], server_keys=False))
    assert main(["validate", str(script)]) == 1
    out, err = capsys.readouterr()
    line = script.read_text().splitlines().index("guns:") + 1
    assert err == (
        f"ceremony: {script.name}:{line}: guns: {most + 1:,} GUNs are more than one bundle "
        f"holds: with 1 root key, at most {most:,} (past that its metadata/dct.json would "
        "exceed the 5,000,000 bytes `ceremony verify` accepts, and the ceremony would make "
        "every key only to be refused before it seals). Split the fleet into several "
        f"ceremonies of at most {most:,} GUNs each, one script and one bundle for each part\n"
    )
    assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()


def test_a_fleet_at_the_bound_loads():
    for root_keys, snapshot in ((1, False), (3, False), (1, True)):
        fleet = Fleet.of([gun(0)], root_keys, offline_snapshot=snapshot)
        most = bound(fleet).most
        guns = [gun(n) for n in range(most)]
        load_script_text(bootstrap(guns, root_keys, snapshot=snapshot))  # no problem
        with pytest.raises(ScriptError, match=f"{most + 1:,} GUNs are more than one bundle"):
            load_script_text(bootstrap([*guns, gun(most)], root_keys, snapshot=snapshot))


def test_the_bound_shrinks_with_root_keys_longer_names_and_older_roots():
    base = bound(Fleet.of([gun(0)], 1)).most
    assert 6_000 < base < 6_700  # metadata/dct.json's 5 MB at some 745 bytes a GUN
    assert bound(Fleet.of([gun(0)], 3, 3)).most < base  # RSA-4096: kept in memory
    assert bound(Fleet.of([gun(0)], 5)).most == base  # dct.json grows with no root key
    assert bound(Fleet.of([gun(0)], 10)).most < base
    assert bound(Fleet.of([gun(0) + "x" * 100], 1)).most < base
    assert bound(Fleet.of([gun(0)], 1, older=10)).most < base
    assert bound(Fleet.of([gun(0)], 1, offline_snapshot=True)).most < base
    # a bundle bootstrapped at the bound with one or two ECDSA root keys is renewed,
    # recovered, or rotated to as many new root keys, whole; with three, the rotation
    # holds fewer
    for keys in (1, 2):
        made = bound(Fleet.of([gun(0)], keys)).most
        assert bound(Fleet.of([gun(0)], keys, older=1, on_bundle=True)).most >= made
        assert bound(Fleet.of([gun(0)], keys, older=1)).most >= made
        assert bound(Fleet.of([gun(0)], 2 * keys, older=1, on_bundle=True)).most >= made
    rotated = bound(Fleet.of([gun(0)], 6, older=1, on_bundle=True))
    assert rotated.most == 4_900 and rotated.growth.ceiling == KEPT_TOTAL_BYTES


# -- the bound against real bundles ---------------------------------------------

FEW, MORE = 2, 8  # GUNs in the smaller and the larger bundle of each pair


def long_gun(number: int) -> str:
    return f"registry.example.com/a-longer-organisation-name/team-{'x' * 41}/repo-{number:05d}"


def fleet(count: int, root_keys: int) -> list[str]:
    """``count`` GUNs: names of 37 characters with one root key, of 105 with three
    (a name's characters are in each root key's certificate and key index entry)."""
    return [(gun if root_keys == 1 else long_gun)(n) for n in range(count)]


def sizes(bundle: Path) -> dict[str, int]:
    """Each ceiling's measure of a real bundle, named as GROWTH names them."""
    entries = kept = 0
    for folder, dirs, files in os.walk(bundle):
        entries += len(dirs) + len(files)
        for name in files:
            relative = str((Path(folder) / name).relative_to(bundle))
            size = (Path(folder) / name).stat().st_size
            kept += size if kept_limit(relative) or kept_quietly(relative, size) else 0
    measures = {"files and folders": entries,
                "the files `ceremony verify` keeps in memory": kept}
    for growth in GROWTH:
        if growth.what not in measures:  # a file's bytes
            measures[growth.what] = (bundle / growth.what).stat().st_size
    return measures


def a_gun(few: dict[str, int], more: dict[str, int]) -> dict[str, float]:
    """What each ceiling grew by for each GUN the bundle of MORE has over FEW's."""
    return {name: (more[name] - few[name]) / (MORE - FEW) for name in few}


def held(grown: dict[str, float], fleet: Fleet, tight: tuple[str, ...] = ()) -> None:
    """Each ceiling grew by at most what the bound allows a GUN of ``fleet``, and
    those in ``tight`` by at least 85% of it before its margin (the kind whose
    figures they are)."""
    for growth in GROWTH:
        measured, allowed = grown[growth.what], growth.per_each(fleet)
        assert measured <= allowed, (growth.what, fleet, measured, allowed)
        if growth.what in tight:
            assert measured >= 0.85 * allowed / MARGIN, (growth.what, fleet, measured, allowed)


def run_script(folder: Path, name: str, text: str, operator: RehearsalOperator) -> Plan:
    (folder / f"{name}.yaml").write_text(text)
    plan = load_script(folder / f"{name}.yaml")
    for _ in run_ceremony(plan, operator):
        pass
    return plan


def server_keys(folder: Path, guns: list[str]) -> None:
    """Made-up timestamp and snapshot keys of the server for each GUN, in server-keys/."""
    for name in guns:
        (folder / "server-keys" / name).mkdir(parents=True)
        for role in ("timestamp", "snapshot"):
            key = key_for_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            (folder / "server-keys" / name / f"{role}.key").write_text(
                json.dumps(key.to_dict()))


def run_bootstrap(folder: Path, guns: list[str], root_keys: int,
                  operator: RehearsalOperator | None = None, *,
                  custody: str = "") -> dict[str, int]:
    folder.mkdir(exist_ok=True)
    server_keys(folder, guns)
    run_script(folder, "bootstrap", bootstrap(guns, root_keys) + custody,
               operator or RehearsalOperator())
    return sizes(folder / "out")


@dataclasses.dataclass
class Bootstrapped:
    """Bootstraps of FEW and MORE GUNs with the same root keys, in ``few`` and
    ``more`` (each bundle in out/), and the operator that knows their passphrases."""

    root_keys: int
    few: Path
    more: Path
    operator: RehearsalOperator

    def grown(self, output: str) -> dict[str, float]:
        return a_gun(sizes(self.few / output), sizes(self.more / output))

    def fleet(self, plan: Plan) -> Fleet:
        """The fleet preflight holds ``plan`` on the bundle of MORE GUNs to."""
        guns = fleet(MORE, self.root_keys)
        current = root_keys_kept(read_dct_bundle(self.more / "out"), guns)
        return fleet_of(plan, guns, 1, False, current)


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory) -> dict[int, Bootstrapped]:
    """Bootstraps of FEW and MORE GUNs with one root key, and with three."""
    found = {}
    for keys in (1, 3):
        folder, operator = tmp_path_factory.mktemp(f"fleet-{keys}"), RehearsalOperator()
        for count, name in ((FEW, "few"), (MORE, "more")):
            run_bootstrap(folder / name, fleet(count, keys), keys, operator)
        found[keys] = Bootstrapped(keys, folder / "few", folder / "more", operator)
    return found


@pytest.mark.slow  # real rehearsal ceremonies
def test_the_bound_holds_what_real_bundles_grow_by_a_gun_and_a_root_key(bootstrapped):
    tight = tuple(growth.what for growth in GROWTH if growth.what != "files and folders")
    for keys, made in bootstrapped.items():  # (files and folders: none counted as shared)
        held(made.grown("out"), Fleet.of(fleet(MORE, keys), keys), tight)
    one_more = sizes(bootstrapped[1].more / "out")
    for growth in GROWTH:
        assert one_more[growth.what] <= growth.fixed + MORE * growth.per_each(
            Fleet.of(fleet(MORE, 1), 1)), growth.what


def on_disk(bundle: Path) -> int:
    """What a bundle takes on its medium: its files' and folders' blocks."""
    taken = bundle.stat().st_blocks
    for folder, dirs, files in os.walk(bundle):
        taken += sum((Path(folder) / name).stat().st_blocks for name in dirs + files)
    return taken * 512


@pytest.mark.slow  # real rehearsal ceremonies
def test_the_room_preflight_asks_for_holds_each_real_bundle(bootstrapped):
    for keys, made in bootstrapped.items():
        for count, folder in ((FEW, made.few), (MORE, made.more)):
            result = PreflightResult()
            note_bundle_room(Fleet.of(fleet(count, keys), keys), count, result)
            block = os.statvfs(folder).f_frsize
            room = result.bundle_bytes + result.bundle_entries * block
            assert on_disk(folder / "out") <= room, (keys, count)


def test_a_fleet_too_large_for_its_medium_is_refused_before_any_key_is_made(
    tmp_path, monkeypatch
):
    """300 GUNs take some 14 MB on ext4; a medium of 8 MB is refused by preflight,
    which once asked for some 2.5 MB whatever the GUNs."""
    guns = [gun(n) for n in range(300)]
    server_keys(tmp_path, guns)
    script = tmp_path / "fleet.yaml"
    script.write_text(bootstrap(guns).replace("output: out", "output: small/out"))
    monkeypatch.chdir(tmp_path)
    with tmpfs(tmp_path / "small", size="8m"):
        found = {c.check: c.detail for c in preflight(load_script(script)).failures}
        assert list(found) == ["free space"], found
        shape = re.fullmatch(
            re.escape(str(tmp_path / "small")) + r" has ([\d,]+) bytes free and this ceremony "
            r"needs about ([\d,]+): free some room or use a larger medium", found["free space"])
        assert shape, found["free space"]
        free, needed = (int(n.replace(",", "")) for n in shape.groups())
        assert free <= 8 * 2**20 < 14 * 2**20 < needed
        assert not (tmp_path / "small" / "out").exists()


def same_root(keys: int) -> str:
    """A rotation to a new root version of the same root keys, signed by its threshold."""
    names = ", ".join(ROOT_KEYS[:keys])
    spare = "spare-keys: none\naccept-risk: a test root\n" if keys == 1 else ""
    return f"""\
format: 1
ceremony: rotate-root
flavor: dct
rehearsal: true
title: the same keys, a new root
current: out
output: rotated
request-expires: 7d
sign-with: [{", ".join(ROOT_KEYS[:min(keys, 2)])}]
roles:
  root: {{keys: [{names}], threshold: {min(keys, 2)}}}
{spare}"""


def on_bundle(kind: str, keys: int) -> str:
    """A script of ``kind`` on the bundle of a bootstrap with ``keys`` root keys, to
    ``kind``/: one that signs with the current root's threshold, and makes as many
    new root keys (rotate-root), or a signer for CI (delegate), or destroys root-c."""
    sign_with = ", ".join(ROOT_KEYS[:min(keys, 2)])
    new = [f"new-{name[-1]}" for name in ROOT_KEYS[:keys]]
    fields = {
        "renew": "root-expires: 10y\n",
        "rotate-root": (
            f"keyholders: [{', '.join(f'{{name: {name}}}' for name in new)}]\nkeys:\n"
            + "".join(f"  - {{name: {name}, holder: {name}, algorithm: ecdsa-p256}}\n"
                      for name in new)
            + f"roles:\n  root: {{keys: [{', '.join(new)}], threshold: {min(keys, 2)}}}\n"
            + ("spare-keys: none\naccept-risk: a test root\n" if keys == 1 else "")),
        "delegate": "published: out/publish\nkeyholders: [{name: ci}]\nkeys:\n"
                    "  - {name: ci-signer, holder: ci, algorithm: ecdsa-p256}\n"
                    "signers:\n  - {name: ci, keys: [ci-signer]}\n",
        "decommission": "destroy: [root-c]\n",
    }
    signs = "" if kind == "delegate" else f"sign-with: [{sign_with}]\n"
    return (f"format: 1\nceremony: {kind}\nflavor: dct\nrehearsal: true\ntitle: {kind}\n"
            f"current: out\noutput: {kind}\n{signs}{fields[kind]}")


def sealed(folder: Path, keys: int, operator: RehearsalOperator) -> Plan:
    """``same_root`` asked for in a request, each key signing at a sitting, and sealed."""
    (folder / "rotate.yaml").write_text(same_root(keys))
    plan = load_script(folder / "rotate.yaml")
    request = make_request(plan, utc_now)
    write_request(request, folder / "request")
    files = []
    for name in plan.sign_with:
        signed = sign_request(request, folder / "request", current=folder / "out",
                              keys=[KeyChoice(name)], operator=operator, clock=utc_now,
                              sitting=name)
        files += write_signature_file(signed, folder / f"{name}.sig.json", qr=False)
    for _ in seal_request(request, folder / "request", files, output=folder / "rotated",
                          current=folder / "out", clock=utc_now, script=folder / "rotate.yaml"):
        pass
    return plan


@pytest.mark.slow  # real rehearsal ceremonies
@pytest.mark.parametrize(("kind", "keys"), [
    ("renew", 1), ("renew", 3), ("rotate-root", 1), ("rotate-root", 3), ("delegate", 1),
    ("delegate", 3), ("sealed", 1), ("sealed", 3), ("decommission", 3),
])
def test_the_bound_holds_what_each_kind_on_a_bundle_grows_by_a_gun(bootstrapped, kind, keys):
    # each keeps the current root (older=1) and its root keys; a renewal's transcript
    # sets per_gun_on_bundle and per_root_key (a warning for each root key whose
    # certificate the renewed root outlives), held not far above it
    made = bootstrapped[keys]
    for folder in (made.few, made.more):
        if kind == "sealed":  # a rotation signed in sittings, then sealed
            plan = sealed(folder, keys, made.operator)
        else:
            plan = run_script(folder, kind, on_bundle(kind, keys), made.operator)
    output = "rotated" if kind == "sealed" else kind
    found = made.fleet(plan)
    assert found.on_bundle and found.root_keys >= keys
    held(made.grown(output), found, ("transcript.jsonl",) if kind == "renew" else ())
    if kind == "rotate-root":  # root keys rotated out of every root are no longer counted
        rotated = read_dct_bundle(made.more / output)
        assert sorted(root_keys_kept(rotated, fleet(MORE, keys))) == [
            f"new-{name[-1]}" for name in ROOT_KEYS[:keys]]


CUSTODY = """\
custody:
  media: [media-a, media-b]
  sheets: sheets
  shares: {threshold: 3, of: 5}
  custodians: [erin, frank, grace, heidi, ivan]
"""
# test_dct_recover's recovery, on the bundle at out/ and the server's metadata it holds
RECOVER = (RECOVERY.replace("current: 1-bootstrap", "current: out")
           .replace("published: state-2", "published: out/publish")
           .replace("output: 2-recover", "output: recovered"))


def recovered(folder: Path, guns: list[str], keys: int) -> tuple[dict[str, int], Plan]:
    """A bootstrap of ``guns`` whose root keys are sealed into custody, then recovered."""
    for name in ("media-a", "media-b", "sheets"):
        (folder / name).mkdir(parents=True)
    run_bootstrap(folder, guns, keys, custody=CUSTODY)
    (sheets,) = (folder / "sheets").iterdir()
    custodians = Custodians({n: sheets / f"share-{n:02d}-of-05.txt" for n in (2, 3, 5)})
    plan = run_script(folder, "recover", RECOVER, custodians)
    return sizes(folder / "recovered"), plan


@pytest.mark.slow  # real rehearsal ceremonies
@pytest.mark.parametrize("keys", [1, 3])
def test_the_bound_holds_what_a_recovery_grows_by_a_gun(tmp_path, keys):
    # a recovery writes more a GUN than a bootstrap (a new targets key and targets.json
    # for each, and the current root kept): it sets the transcript's and the files
    # kept in memory's per_gun, held not far above it
    few, _ = recovered(tmp_path / "few", fleet(FEW, keys), keys)
    more, plan = recovered(tmp_path / "more", fleet(MORE, keys), keys)
    current = root_keys_kept(read_dct_bundle(tmp_path / "more" / "out"), fleet(MORE, keys))
    found = fleet_of(plan, fleet(MORE, keys), 1, False, current)
    assert not found.on_bundle and found.root_keys == keys
    held(a_gun(few, more), found,
         ("transcript.jsonl", "the files `ceremony verify` keeps in memory"))


# -- signature files --------------------------------------------------------------


def rotation_request(folder: Path, guns: list[str], operator: RehearsalOperator):
    """A real signing request of a rotation of ``guns``'s roots (one root key)."""
    run_bootstrap(folder, guns, 1, operator)
    (folder / "rotate.yaml").write_text(same_root(1))
    return make_request(load_script(folder / "rotate.yaml"), utc_now)


@pytest.mark.slow  # real rehearsal ceremonies
def test_a_signature_file_is_within_what_its_estimate_says(tmp_path):
    operator = RehearsalOperator()  # the rehearsal's passphrases, for both sittings
    request = rotation_request(tmp_path / "room", [gun(n) for n in range(3)], operator)
    write_request(request, tmp_path / "request")
    signed = sign_request(request, tmp_path / "request", current=tmp_path / "room" / "out",
                          keys=[KeyChoice("root-a")], operator=operator,
                          clock=utc_now, sitting="a")
    (key,) = request.keys
    assert len(signed.signatures) == 3
    for entry in signed.signatures:
        payload = request.payload(entry.payload)
        assert payload is not None
        written = json.dumps({"payload": entry.payload, "payload_sha256": entry.payload_sha256,
                              "key": entry.key, "keyid": entry.keyid,
                              "signature": entry.signature}, sort_keys=True,
                             separators=(",", ":"))
        estimate = entry_bytes(payload, key, most_signature_bytes(key))
        assert len(written) < estimate <= len(written) + 24  # ECDSA as DER at its longest
    assert len(signed.to_bytes()) <= signatures_bytes(request.payloads, [key])


def request_key(name: str, private) -> RequestKey:
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return RequestKey(name, name.encode().hex().ljust(64, "0"), "", pem.decode())


def payloads_for(keys: list[RequestKey], count: int) -> tuple[Payload, ...]:
    group = Group("new", "the new root", 1, tuple(key.keyid for key in keys))
    return tuple(Payload(f"{gun(n).replace('/', '%2F')}.root.json", b"{}", (group,))
                 for n in range(count))


def rsa_key(name: str = "root-rsa") -> RequestKey:
    return request_key(name, rsa.generate_private_key(65537, 4096))


def past_one_file(key: RequestKey) -> int:
    """More payloads than one signature file holds signatures of ``key`` for."""
    entry = entry_bytes(payloads_for([key], 1)[0], key, most_signature_bytes(key))
    return LIMIT // entry + 1


def test_a_request_whose_one_key_signs_more_than_a_file_holds_is_refused():
    big = rsa_key()
    small = request_key("root-ec", ec.generate_private_key(ec.SECP256R1()))
    assert most_signature_bytes(big) == 512 and most_signature_bytes(small) == 73
    many = past_one_file(big)
    found = too_many_for_one_key(payloads_for([big], many), [big])
    assert found is not None
    key, count, fit = found
    assert (key, count) == (big, many)
    assert signatures_bytes(payloads_for([big], fit), [big]) <= LIMIT
    assert signatures_bytes(payloads_for([big], fit + 2), [big]) > LIMIT
    assert too_many_for_one_key(payloads_for([small], many), [small]) is None


def test_one_keys_signatures_for_the_most_guns_a_bundle_holds_fit_in_one_file():
    # a rotation keeps each GUN's current root (older=1); with RSA-4096 keys, the largest
    # signatures, one key's always fit, and so do up to four keys' together, not five
    # (and up to ten ECDSA P-256 ones: docs/reference/dct.md)
    rsa_private = rsa.generate_private_key(65537, 4096)
    ec_private = ec.generate_private_key(ec.SECP256R1())
    for private, rsa_keys, together, most_keys in ((rsa_private, True, 4, 5),
                                                   (ec_private, False, 10, 10)):
        keys = [request_key(f"root-{n}", private) for n in range(most_keys)]
        for count in range(1, most_keys + 1):
            fleet = Fleet.of([gun(0)], count, count * rsa_keys, older=1, on_bundle=True)
            payloads = payloads_for(keys[:count], bound(fleet).most)
            assert too_many_for_one_key(payloads, keys[:count]) is None
            fits = signatures_bytes(payloads, keys[:count]) <= LIMIT
            assert fits == (count <= together), (rsa_keys, count)


def test_a_request_past_a_signature_file_is_refused_with_what_to_do():
    big = rsa_key()
    many = past_one_file(big)
    with pytest.raises(PreflightError) as caught:
        refuse_oversized(payloads_for([big], many), [big])
    fit = too_many_for_one_key(payloads_for([big], many), [big])[2]  # type: ignore[index]
    assert str(caught.value) == (
        f"key root-rsa signs {many:,} payloads, and one signature file holds its signatures "
        f"of at most {fit:,} (16,777,216 bytes, the most a seal reads): its keyholder's "
        "sitting could "
        f"bring back no file the seal takes. Split the ceremony into several of at most {fit:,} "
        f"payloads each (a DCT rotation signs one payload a GUN: list at most {fit:,} GUNs in "
        "guns: of each script); nothing was written"
    )


@pytest.mark.slow  # real rehearsal ceremonies
def test_a_sitting_whose_keys_together_pass_a_file_is_refused_before_any_is_opened(tmp_path):
    operator = RehearsalOperator()
    request = rotation_request(tmp_path / "room", [gun(n) for n in range(2)], operator)
    write_request(request, tmp_path / "request")
    keys = [request_key(name, ec.generate_private_key(ec.SECP256R1()))
            for name in ("root-x", "root-y")]
    # ~ 400 bytes a signature: each key alone fits, the two together do not
    each = past_one_file(keys[0]) // 2 + 1
    many = dataclasses.replace(request, keys=tuple(keys), payloads=payloads_for(keys, each))
    for key in keys:
        assert signatures_bytes(many.payloads, [key]) <= LIMIT
    assert too_many_for_one_key(many.payloads, keys) is None
    with pytest.raises(CeremonyError) as caught:
        sign_request(many, tmp_path / "request", current=tmp_path / "room" / "out",
                     keys=[KeyChoice("root-x"), KeyChoice("root-y")], operator=operator,
                     clock=utc_now, sitting="x and y")
    size = signatures_bytes(many.payloads, keys)
    assert str(caught.value) == (
        f"the signatures of root-x, root-y would take up to {size:,} bytes, more than the "
        "16,777,216 a signature file may have (the seal reads no larger one). Sign with fewer "
        "keys at this sitting, each set into its own signature file (one key alone always "
        "fits); nothing was signed"
    )
    # (root-x and root-y are in no bundle: had a key been opened, that was the error)


def test_a_ceremony_on_every_gun_of_a_large_bundle_fails_preflight():
    plan = load_script_text("""\
format: 1
ceremony: renew
flavor: dct
title: renew every GUN
current: last-bundle
output: renewed
sign-with: [root-a]
root-expires: 10y
""")
    most = bound(Fleet.of([gun(0)], 1, older=1, on_bundle=True)).most
    result = PreflightResult()
    check_fleet_size(plan, [gun(n) for n in range(most)], 1, False, {}, result)
    assert result.failures == []
    check_fleet_size(plan, [gun(n) for n in range(most + 1)], 1, False, {}, result)
    (failure,) = result.failures
    assert (failure.check, failure.detail) == ("bundle size", (
        f"{most + 1:,} GUNs are more than one bundle holds: with 1 root key, at most {most:,} "
        "(past that its metadata/dct.json would exceed the 5,000,000 bytes `ceremony verify` "
        "accepts, and the ceremony would make every key only to be refused before it seals): "
        f"split the fleet into several ceremonies of at most {most:,} GUNs each, one script "
        "and one bundle for each part, naming its GUNs in guns:"
    ))
    # older root versions kept, or GUNs whose snapshot key is made here, hold fewer
    assert bound(Fleet.of([gun(0)], 1, older=10)).most < most
