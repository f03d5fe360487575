"""The forms write what was typed; the script loader judges it.

Each form field's text reaches the loader unchanged (so its messages are the
ones ``ceremony validate`` gives for the same YAML), and every message's YAML
path leads back to the field it is about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import ScriptError
from ceremony.script.load import load_script_text
from ceremony.tui.draft import new_draft
from ceremony.tui.drafts.keys import IMPORT, KeyRow
from ceremony.tui.drafts.model import DelegationRow
from ceremony.tui.drafts.text import scalar

from .conftest import PINNED

BASE = Path("/srv/ceremony")


def verdict(draft):
    rendered = draft.render()
    try:
        load_script_text(rendered.text, base_dir=BASE, now=PINNED)
    except ScriptError as error:
        path = error.where.split(": ", 1)[1]
        return rendered.field_for(path), error.what
    return None, "ok"


@pytest.mark.parametrize("kind", ["bootstrap"])
def test_the_starting_point_loads(kind):
    assert verdict(new_draft(kind, stamp="2026-11-30")) == (None, "ok")


@pytest.mark.parametrize(
    "text",
    ["two", "1y", "2027-11-30", "2027-11-30T12:00:00Z", "true", "null", "1.5", "a: b # c", "  x",
     "[1]", "*x", "0x1F"],
)
def test_text_reaches_the_loader_as_typed(text):
    plan_text = f"value: {scalar(text)}\n"
    from ceremony.script.yamlload import load_yaml

    assert load_yaml(plan_text, "<t>")["value"] == text.strip()


def test_numbers_only_where_a_number_is_meant():
    assert scalar("2", number=True) == "2"
    assert scalar("2") == '"2"'


@pytest.mark.parametrize(
    "change, field, words",
    [
        (lambda d: setattr(d.roles[0], "threshold", "two"), "role-root-threshold",
         "expected a whole number"),
        (lambda d: setattr(d.roles[0], "threshold", "3"), "role-root-threshold", "lock the root"),
        (lambda d: setattr(d.roles[3], "expires", "soon"), "role-timestamp-expires",
         "expected a date"),
        (lambda d: setattr(d.keys[1], "holder", "bobby"), "key-1-holder",
         "no keyholder named 'bobby'"),
        (lambda d: setattr(d.keys[0], "name", "Root"), "key-0-name", "not a valid name"),
        (lambda d: setattr(d, "keyholders", "alice, Bob"), "keyholders", "not a valid name"),
        (lambda d: setattr(d, "title", ""), "title", "missing"),
        (lambda d: setattr(d, "output", ""), "output", "missing"),
        (lambda d: setattr(d.roles[0], "keys", "root-alice, root-zed"), "role-root-keys",
         "root-zed"),
        (lambda d: setattr(d.keys[3], "algorithm", IMPORT), "key-3-import", ""),
    ],
)
def test_a_loader_message_leads_to_its_field(change, field, words):
    draft = new_draft("bootstrap", stamp="2026-11-30")
    change(draft)
    found, what = verdict(draft)
    assert found == field, what
    assert words in what


def test_rows_keep_their_form_ids_when_one_is_skipped():
    draft = new_draft("delegate", stamp="2026-11-30")
    draft.current = "media/current"
    draft.keys = [KeyRow(tag="7"), KeyRow("repo-a", "", "ed25519", tag="9")]
    draft.delegations = [DelegationRow("alpha", "repo-a", "1", "", tag="4")]
    found, what = verdict(draft)
    assert (found, "no paths" in what) == ("delegation-4-paths", True)


def test_a_recovery_form_leads_each_message_to_its_field():
    draft = new_draft("recover", stamp="2026-11-30")
    assert verdict(draft)[0] == "current"  # nothing typed yet: the current bundle first
    draft.current = "media/boot"
    assert verdict(draft)[0] == "copies"
    draft.copies = "media/custody-a, media/custody-a"
    field, what = verdict(draft)
    assert field == "copies" and "listed twice" in what
    draft.copies = "media/custody-a, media/custody-b"
    assert verdict(draft) == (None, "ok")
    draft.roles[0].expires = "yesterday"
    assert verdict(draft)[0] == "role-targets-expires"
    draft.roles[0].expires = "180d"
    draft.custody.media = "media/custody-c, media/custody-d"
    draft.custody.sheets = "media/sheets-2"
    draft.custody.threshold = "1"
    field, _ = verdict(draft)
    assert field in ("custody-threshold", "custody-of")
    draft.custody.threshold = "3"
    assert verdict(draft) == (None, "ok")
    text = draft.render().text
    assert "recover-from:\n  copies: [media/custody-a, media/custody-b]\n" in text
    assert "replace:\n  targets: {keys: [targets-2], threshold: 1, expires: 180d}\n" in text
    assert "shares: {threshold: 3, of: 5}" in text and "sign-with" not in text


def test_insert_token_is_its_own_state():
    from ceremony.engine.preflight_result import PreflightResult
    from ceremony.tui.screens.script import preflight_text, tokens_missing

    result = PreflightResult()
    result.add("token 'root-hsm-a'", "no token with label 'root-hsm-a' is present in /usr/lib/x.so "
               "(present: none). insert the right token, or correct the label or serial in the "
               "ceremony script", reason="token-absent")
    result.add("output", "media/out exists already")
    assert tokens_missing(result) == ["token 'root-hsm-a'"]
    text = str(preflight_text(result))
    assert "INSERT TOKEN" in text and "runs again" in text


NEXT_DCT = """\
# Written by `ceremony next`
format: 1
ceremony: rotate-root
flavor: dct
title: Rotation of the DCT roots
current: v3
output: v3-rotate-root
published: v3-state
sign-with: [root-bob]
keyholders:
- {name: ci-team}
keys:
- {name: repo-3, holder: ci-team, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-bob, root-carol], threshold: 1, expires: 10y}
  targets: {keys: [repo-3]}
"""
NEXT_SIGSTORE = """\
format: 1
ceremony: rotate-root
flavor: sigstore
title: Rotation to root version 4
current: v3
output: v3-rotate-root-v4
sign-with: [root-a]
keys:
- {name: timestamp-2, algorithm: ecdsa-p256}
roles:
  root: {keys: [root-a, root-b], threshold: 1, expires: 1y}
  timestamp: {keys: [timestamp-2], threshold: 1, expires: 7d}
targets-expires: 180d
snapshot-expires: 30d
timestamp-expires: 7d
trust:
  mirror: https://tuf.example.internal
  fulcio:
  - {url: 'https://fulcio.example.internal', chain: trust/fulcio-chain.pem}
  rekor:
  - {url: 'https://rekor.example.internal', key: trust/rekor.pub, valid-from: 2026-01-01}
  ctlog:
  - {url: 'https://ctfe.example.internal', key: trust/ctfe.pub}
  oidc:
  - {url: 'https://oidc.example.internal'}
"""


@pytest.mark.parametrize("text", [NEXT_DCT, NEXT_SIGSTORE], ids=["dct", "sigstore"])
def test_a_next_script_of_any_flavor_fills_a_form_that_loads(text):
    """Ctrl+L from a DCT or Sigstore bundle: what the form does not show (published:,
    a rotation's targets-expires, trust:) is carried as a block of its own."""
    from ceremony.tui.drafts.from_next import draft_from_next

    rendered = draft_from_next(text).render().text
    plan = load_script_text(rendered, base_dir=BASE, now=PINNED)
    assert (plan.flavor, plan.kind) == (text.split("flavor: ")[1].split()[0], "rotate-root")
    assert "\npublished: v3-state\n" in rendered or "\ntargets-expires: 180d\n" in rendered


def renewal_of(text: str) -> str:
    """A next script for a renew, made from a rotation's (its keys and roles dropped)."""
    kept, dropping = [], False
    for line in text.splitlines():
        if not line.startswith((" ", "-")):
            dropping = line.split(":")[0] in ("keyholders", "keys", "roles")
        if not dropping:
            kept.append(line.replace("rotate-root", "renew").replace("Rotation", "Renewal"))
    return "\n".join(kept) + "\nroot-expires: 1y\n"


@pytest.mark.parametrize("text", [NEXT_DCT, NEXT_SIGSTORE], ids=["dct", "sigstore"])
def test_a_decommission_of_any_flavor_starts_from_the_renewal(text):
    """Ctrl+L on a decommission form: the renewal's script, the keys to destroy
    typed in, a bag sealed; each loader message leads back to its field."""
    from ceremony.tui.drafts.bags import BagRow
    from ceremony.tui.drafts.from_next import draft_from_next

    draft = draft_from_next(renewal_of(text), kind="decommission")
    assert (draft.kind, draft.title.split()[:2]) == ("decommission", ["Key", "destruction"])
    assert draft.output.startswith("v3-decommission")
    assert verdict(draft)[0] == "destroy"  # nothing to destroy named yet
    draft.decommission.destroy = "root-carol, root-carol"
    field, what = verdict(draft)
    assert field == "destroy" and "listed twice" in what
    draft.decommission.destroy = "root-carol"
    draft.decommission.custody_copies = "media/custody-a/custody-x"
    draft.bags.seal = [BagRow("hsm-a", "token root-hsm-a", "5"), BagRow("hsm-a", "sheet", "6")]
    field, what = verdict(draft)
    assert field == "bag-6-name" and "named twice" in what  # the row naming it again
    draft.bags.seal[1].name = "sheet-1"
    assert verdict(draft) == (None, "ok")
    plan = load_script_text(draft.render().text, base_dir=BASE, now=PINNED)
    assert plan.destroy == ("root-carol",) and [b.name for b in plan.bags.seal] == [
        "hsm-a", "sheet-1"]
    assert plan.wipe.custody_copies == (BASE / "media/custody-a/custody-x",)


def test_a_dct_recovery_form_leads_each_message_to_its_field():
    """The recover form of the dct flavor: the TUF recovery's parts and the dct part."""
    draft = new_draft("recover", stamp="2026-11-30", flavor="dct")
    assert verdict(draft)[0] == "current"  # nothing typed yet: the current bundle first
    draft.current = "media/boot"
    assert verdict(draft)[0] == "copies"
    draft.copies = "media/custody-a, media/custody-b"
    field, what = verdict(draft)  # a new targets key re-signs what only the server has
    assert field == "role-targets-keys" and "only the server has" in what
    draft.part.published = "media/state"
    assert verdict(draft) == (None, "ok")
    draft.part.guns = "registry.example.com/Org/App"
    field, what = verdict(draft)
    assert field == "dct-guns", what
    draft.part.guns = ""
    plan = load_script_text(draft.render().text, base_dir=BASE, now=PINNED)
    assert (plan.flavor, plan.kind) == ("dct", "recover")
    assert [copy.name for copy in plan.recover_from.copies] == ["custody-a", "custody-b"]


def test_a_sigstore_recovery_form_leads_each_message_to_its_field():
    """The recover form of the sigstore flavor: the TUF recovery's parts, the trust
    material, the mirror's expiries and the cosign keys reissued from custody."""
    from ceremony.tui.drafts.sigstore import TrustEntry

    draft = new_draft("recover", stamp="2026-11-30", flavor="sigstore")
    assert verdict(draft)[0] == "current"
    draft.current = "media/boot"
    draft.copies = "media/custody-a"
    assert verdict(draft)[0] == "sigstore-mirror"
    draft.part.mirror = "https://tuf.example.internal"
    draft.part.entries = [
        TrustEntry("fulcio", "https://fulcio.example.internal", "trust/fulcio-chain.pem", tag="1"),
        TrustEntry("rekor", "https://rekor.example.internal", "trust/rekor.pub", tag="2"),
        TrustEntry("ctlog", "https://ctfe.example.internal", "trust/ctfe.pub", tag="3"),
        TrustEntry("oidc", "https://oidc.example.internal", tag="4"),
    ]
    assert verdict(draft) == (None, "ok")
    draft.part.reissue = "ci-release, Bad"
    field, what = verdict(draft)
    assert field == "sigstore-reissue-cosign" and "'Bad' is not a valid name" in what
    draft.part.reissue = "ci-release"
    draft.part.expires["timestamp-expires"] = "soon"
    assert verdict(draft)[0] == "sigstore-timestamp-expires"
    draft.part.expires["timestamp-expires"] = "7d"
    draft.roles[2].expires = "soon"
    assert verdict(draft)[0] == "role-timestamp-expires"
    draft.roles[2].expires = "7d"
    plan = load_script_text(draft.render().text, base_dir=BASE, now=PINNED)
    assert (plan.flavor, plan.kind) == ("sigstore", "recover")
    assert "reissue-cosign: [ci-release]\n" in draft.render().text
    assert "sign-with: [snapshot]\n" in draft.render().text


def test_a_sigstore_withdraw_is_written_for_kinds_built_on_a_bundle():
    """The URLs typed under "Withdraw" become ``trust: withdraw:`` of an update-trust
    (the loader carries them; a URL it refuses leads to the field); a bootstrap,
    with no current trusted root, never writes it."""
    from ceremony.tui.drafts.sigstore import TrustEntry

    entries = [
        TrustEntry("fulcio", "https://fulcio.example.internal", "trust/fulcio-chain.pem"),
        TrustEntry("rekor", "https://rekor-2.example.internal", "trust/rekor.pub"),
        TrustEntry("ctlog", "https://ctfe.example.internal", "trust/ctfe.pub"),
        TrustEntry("oidc", "https://oidc.example.internal"),
    ]
    draft = new_draft("update-trust", stamp="2026-11-30", flavor="sigstore")
    draft.current = "media/boot"
    draft.part.mirror = "https://tuf.example.internal"
    draft.part.entries = entries
    draft.part.withdraw = "https://rekor.example.internal, http://tsa.example.internal"
    field, what = verdict(draft)
    assert field == "sigstore-withdraw" and "'http://tsa.example.internal'" in what, what
    draft.part.withdraw = "https://rekor.example.internal, https://tsa.example.internal"
    plan = load_script_text(draft.render().text, base_dir=BASE, now=PINNED)
    assert plan.details.withdraw == ("https://rekor.example.internal",
                                     "https://tsa.example.internal")
    bootstrap = new_draft("bootstrap", stamp="2026-11-30", flavor="sigstore")
    bootstrap.part.withdraw = "https://rekor.example.internal"
    assert "withdraw" not in bootstrap.render().text


def test_every_kind_of_every_flavor_has_a_form_whose_verdict_lands_on_a_field():
    """The forms build each kind a flavor runs; each starting draft either loads or
    its loader message names a field of the form (what the operator fills in first)."""
    from ceremony.flavor import flavor_named
    from ceremony.tui.forms.flavor import FORM_KINDS

    for flavor, kinds in FORM_KINDS.items():
        assert sorted(kinds) == sorted(flavor_named(flavor).kinds), flavor
        for kind in kinds:
            found, what = verdict(new_draft(kind, stamp="2026-11-30", flavor=flavor))
            assert found is not None or what == "ok", (flavor, kind, what)



@pytest.mark.parametrize("flavor", ["tuf", "dct", "sigstore"])
def test_a_rotation_signed_in_sittings_of_any_flavor_leads_each_message_to_its_field(flavor):
    """The rotate-root form's "signed in several sittings": ``request-expires:`` as
    typed, written only when chosen. The loader's words (as `ceremony validate` says
    them) land on the imported root key's file while it is not chosen, on the key's
    algorithm when a key would be made here, and on the expiry when it is none; then
    the script loads, as a request's (a Sigstore one once its trust is filled in)."""
    draft = new_draft("rotate-root", stamp="2026-11-30", flavor=flavor)
    draft.current, draft.sign_with, draft.keyholders = "media/v1", "root-alice", "erin"
    draft.keys = [KeyRow("root-erin", "erin", IMPORT, "erin.pem", tag="5")]
    draft.roles[0].keys, draft.roles[0].threshold = "root-alice, root-erin", "1"
    draft.sittings = True
    assert "\nrequest-expires: 14d\n" in draft.render().text
    if flavor == "sigstore":
        assert verdict(draft)[0] == "sigstore-mirror"  # its trust: first (test_flavor_forms)
        return
    assert verdict(draft) == (None, "ok")
    draft.sittings = False
    found, what = verdict(draft)
    assert found == "key-5-import" and "unless the script is signed in several" in what
    assert "request-expires" not in draft.render().text
    draft.sittings = True
    draft.keys[0].algorithm = "ed25519"
    found, what = verdict(draft)
    assert found == "key-5-algorithm" and "holds no private key" in what
    draft.keys[0].algorithm, draft.request_expires = IMPORT, "soon"
    found, what = verdict(draft)
    assert found == "request-expires" and "got 'soon'" in what


NEXT_IN_SITTINGS = """\
format: 1
ceremony: rotate-root
flavor: tuf
title: Rotation to root version 3
current: r/2-rotate-root
output: r/2-rotate-root-rotate-root-v3
rehearsal: true
accept-risk: a rehearsal root that every key must sign
spare-keys: none
sign-with: [root-alice, root-dave]
keys:
- {name: targets-2, import: targets-2.pem}
roles:
  root:
    keys: [root-alice, root-dave]
    threshold: 2
    expires: 1y
  targets:
    keys: [targets-2]
    threshold: 1
    expires: 180d
request-expires: 21d
"""


def test_a_next_rotation_in_sittings_fills_the_forms_sittings_part():
    """Ctrl+L from a bundle whose root keys are kept by their keyholders: `ceremony next`
    wrote a rotation signed in sittings; the form shows it so (its part on, the request's
    expiry, each new key imported), and renders the same script back."""
    from ceremony.tui.drafts.from_next import draft_from_next

    draft = draft_from_next(NEXT_IN_SITTINGS)
    assert draft.sittings and draft.request_expires == "21d"
    assert [(k.name, k.algorithm, k.public_key_file) for k in draft.keys] == [
        ("targets-2", IMPORT, "targets-2.pem")]
    rendered = draft.render().text
    assert "\nrequest-expires: 21d\n" in rendered and rendered.count("request-expires") == 1
    assert "{name: targets-2, import: targets-2.pem}" in rendered
    plan = load_script_text(rendered, base_dir=BASE, now=PINNED)
    assert plan.request_expires is not None and plan.keys[0].source == "import"
