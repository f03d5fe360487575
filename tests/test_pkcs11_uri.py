"""RFC 7512 pkcs11: URIs: strict parsing, exact formatting, secrets refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hsm.pkcs11 import Pkcs11Uri, UriError


def test_rfc_7512_examples_parse():
    uri = Pkcs11Uri.parse(
        "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
        "manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;"
        "type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial="
    )
    assert uri.token == "The Software PKCS#11 Softtoken"
    assert uri.manufacturer == "Snake Oil, Inc."
    assert uri.id == bytes.fromhex("69953e5cf4bdec91")
    assert (uri.type, uri.serial, uri.object) == ("cert", "", "my-certificate")
    assert Pkcs11Uri.parse("pkcs11:").names_a_token is False
    lib = Pkcs11Uri.parse(
        "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1"
    )
    assert lib.module_path == "/mnt/libmypkcs11.so.1"
    assert Pkcs11Uri.parse("pkcs11:token=Name%20with%20a%20small%20A%2Fslash").token == (
        "Name with a small A/slash"
    )


def test_format_encodes_id_fully_and_keeps_the_query_apart():
    uri = Pkcs11Uri(token="root a;b", serial="12", object="k%1", id=b"\x00\xff",
                    type="private", module_path="/usr/lib/x y.so")
    text = str(uri)
    assert text == (
        "pkcs11:token=root%20a%3Bb;serial=12;object=k%251;id=%00%FF;type=private"
        "?module-path=/usr/lib/x%20y.so"
    )
    assert Pkcs11Uri.parse(text) == uri


@pytest.mark.parametrize(
    "text, words",
    [
        ("pkcs11:token=a?pin-value=123456", "carries a PIN (pin-value"),
        ("pkcs11:token=a?pin-source=file:/pin", "carries a PIN (pin-source"),
        ("pkcs11:slot-id=3", "slot numbers change"),
        ("pkcs11:tokne=a", "unknown attribute 'tokne'"),
        ("pkcs11:token=a;token=b", "gives 'token' twice"),
        ("pkcs11:id=%0", "bad %-escape in id"),
        ("pkcs11:type=secret", "type='secret'"),
        ("pkcs11:token", "is not name=value"),
        ("https://example.com", "is not a pkcs11: URI"),
        ("pkcs11:token=a?module-path=/x&color=blue", "unknown query attribute 'color'"),
    ],
)
def test_malformed_or_dangerous_uris_are_refused_with_reasons(text, words):
    with pytest.raises(UriError) as caught:
        Pkcs11Uri.parse(text)
    assert words in str(caught.value)


def test_a_pin_in_a_uri_is_never_repeated_in_the_error():
    for text in ("pkcs11:tokne=x?pin-value=S3cret-99", "pkcs11:pin-value=S3cret-99;bad"):
        with pytest.raises(UriError) as caught:
            Pkcs11Uri.parse(text)
        assert "S3cret-99" not in str(caught.value)


def test_vendor_attributes_are_kept():
    uri = Pkcs11Uri.parse("pkcs11:token=a;x-slot=9c")
    assert uri.vendor == {"x-slot": "9c"}
    assert str(uri) == "pkcs11:token=a;x-slot=9c"


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(token=texts, obj=texts, cka_id=st.binary(max_size=20), path=texts)
def test_format_then_parse_gives_the_same_uri(token, obj, cka_id, path):
    uri = Pkcs11Uri(token=token, object=obj, id=cka_id, module_path=path or None)
    assert Pkcs11Uri.parse(str(uri)) == uri
