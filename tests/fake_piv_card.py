"""A YubiKey that answers PIV and management APDUs, for testing the yubikit backend.

No YubiKey is attached where the tests run, so this plays one at the smart-card
level: yubikit's own PivSession and ManagementSession talk to it through a
``SmartCardConnection`` exactly as they talk to a real card over PC/SC (SELECT,
GET VERSION, GET SERIAL, GET METADATA, VERIFY, CHANGE REFERENCE, the management
key's challenge-response, GENERATE ASYMMETRIC, ATTEST, GET DATA, SET MANAGEMENT
KEY, the signing AUTHENTICATE, READ CONFIG). It keeps real keys (made with
``cryptography``), counts PIN and PUK tries as a card does, enforces PIN and
touch policies, and signs attestations with a device key under a test chain
(tests/yubikey_chains.py), so every answer can be checked. Written from the
NIST SP 800-73 and Yubico PIV command descriptions, not from yubikit's code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from yubikey_chains import YUBICO, certificate, make_chain, yubico_extensions
from yubikit.core import TRANSPORT
from yubikit.core.smartcard import SmartCardConnection

PIV_AID = bytes.fromhex("a000000308")
MANAGEMENT_AID = bytes.fromhex("a000000527471117")
FACTORY_MANAGEMENT_KEY = bytes.fromhex("010203040506070801020304050607080102030405060708")
OK, NOT_FOUND, SECURITY, BLOCKED = 0x9000, 0x6A82, 0x6982, 0x6983
WRONG_DATA, NO_INS = 0x6A80, 0x6D00
NO_KEY = 0x6A88
TDES, AES192 = 0x03, 0x0A
ALGORITHMS = {0x11: "p256", 0x14: "p384", 0xE0: "ed25519", 0x05: 3072, 0x16: 4096, 0x07: 2048}
NEW_ALGORITHMS = (0xE0, 0x05, 0x16)  # firmware 5.7
SLOT_DEFAULT_PIN = {0x9C: 3, 0x9E: 1}  # else once (2)


def tlv(tag: int, value: bytes = b"") -> bytes:
    head = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    size = bytes([n]) if n < 0x80 else (b"\x81" + bytes([n]) if n < 0x100
                                        else b"\x82" + n.to_bytes(2, "big"))
    return head + size + value


def parse_tlvs(data: bytes) -> dict[int, bytes]:
    found, i = {}, 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            tag = tag << 8 | data[i]
            i += 1
        n = data[i]
        i += 1
        if n & 0x80:
            count = n & 0x7F
            n = int.from_bytes(data[i : i + count], "big")
            i += count
        found[tag] = data[i : i + n]
        i += n
    return found


@dataclass
class SlotKey:
    private: object
    algorithm: int
    pin_policy: int
    touch_policy: int
    generated: bool = True


@dataclass
class FakePivCard:
    """One YubiKey's state, as a card keeps it."""

    serial: int = 12345678
    firmware: tuple[int, int, int] = (5, 7, 4)
    form_factor: int = 0x03
    pin: str = "123456"
    puk: str = "12345678"
    management_key: bytes = FACTORY_MANAGEMENT_KEY
    management_type: int = AES192
    pin_tries: int = 3
    puk_tries: int = 3
    with_intermediate: bool = True
    root_key: object = None  # None: the shared test root key (tests/yubikey_chains.py)
    slots: dict[int, SlotKey] = field(default_factory=dict)
    touches: int = 0
    log: list[int] = field(default_factory=list)  # instructions received
    removed: bool = False

    def __post_init__(self) -> None:
        self.device_key = ec.generate_private_key(ec.SECP256R1())
        chain = make_chain(self.device_key.public_key(), with_intermediate=self.with_intermediate,
                           root_signing_key=self.root_key)
        self.root, self.intermediates = chain.root, chain.intermediates
        self.device_cert = certificate(
            "Yubico PIV Attestation", chain.device.issuer.rfc4514_string()[3:],
            self.device_key.public_key(), chain.issuer_key, ca=True,
            extensions=[(f"{YUBICO}.3", bytes(self.firmware))])
        self.selected = ""
        self._reset_security()

    def _reset_security(self) -> None:
        self.pin_verified = False
        self.pin_fresh = False  # for PIN policy "always": one use per VERIFY
        self.authenticated = False
        self.witness: bytes | None = None

    # the connection ---------------------------------------------------
    def connection(self) -> FakeConnection:
        return FakeConnection(self)

    def answer(self, apdu: bytes) -> tuple[bytes, int]:
        if self.removed:
            raise OSError("the card was removed")
        cla, ins, p1, p2 = apdu[:4]
        data = _command_data(apdu[4:])
        self.log.append(ins)
        handler = getattr(self, f"_ins_{ins:02x}", None)
        if handler is None:
            return b"", NO_INS
        return handler(p1, p2, data)

    # selection and identity -------------------------------------------
    def _ins_a4(self, p1, p2, data):
        self._reset_security()
        if data == PIV_AID:
            self.selected = "piv"
            return tlv(0x61, tlv(0x4F, bytes.fromhex("000010000100"))), OK
        if data == MANAGEMENT_AID:
            self.selected = "management"
            return ".".join(map(str, self.firmware)).encode(), OK
        return b"", NOT_FOUND

    def _ins_fd(self, p1, p2, data):
        return bytes(self.firmware), OK

    def _ins_f8(self, p1, p2, data):
        return self.serial.to_bytes(4, "big"), OK

    def _ins_1d(self, p1, p2, data):  # management READ CONFIG
        body = (tlv(0x01, b"\x02\x3f") + tlv(0x02, self.serial.to_bytes(4, "big"))
                + tlv(0x03, b"\x02\x3f") + tlv(0x04, bytes([self.form_factor]))
                + tlv(0x05, bytes(self.firmware)) + tlv(0x0A, b"\x00"))
        return bytes([len(body)]) + body, OK

    # metadata ---------------------------------------------------------
    def _ins_f7(self, p1, p2, data):
        if self.firmware < (5, 3, 0):
            return b"", NO_INS
        if p2 == 0x9B:
            default = self.management_key == FACTORY_MANAGEMENT_KEY
            return (tlv(0x01, bytes([self.management_type])) + tlv(0x02, b"\x00\x01")
                    + tlv(0x05, bytes([default]))), OK
        if p2 in (0x80, 0x81):
            value, factory, tries = ((self.pin, "123456", self.pin_tries) if p2 == 0x80
                                     else (self.puk, "12345678", self.puk_tries))
            return tlv(0x05, bytes([value == factory])) + tlv(0x06, bytes([3, tries])), OK
        if p2 == 0xF9:
            return (tlv(0x01, b"\x11") + tlv(0x02, b"\x01\x01") + tlv(0x03, b"\x02")
                    + tlv(0x04, self._public_tlvs(self.device_key, 0x11))), OK
        key = self.slots.get(p2)
        if key is None:
            return b"", NO_KEY
        return (tlv(0x01, bytes([key.algorithm]))
                + tlv(0x02, bytes([key.pin_policy, key.touch_policy]))
                + tlv(0x03, b"\x01" if key.generated else b"\x02")
                + tlv(0x04, self._public_tlvs(key.private, key.algorithm))), OK

    # PIN and PUK ------------------------------------------------------
    def _ins_20(self, p1, p2, data):
        if p2 != 0x80:
            return b"", NOT_FOUND
        if self.pin_tries == 0:
            return b"", BLOCKED
        if not data:
            return b"", OK if self.pin_verified else 0x63C0 | self.pin_tries
        if data.rstrip(b"\xff").decode() != self.pin:
            self.pin_tries -= 1
            self.pin_verified = False
            return b"", BLOCKED if self.pin_tries == 0 else 0x63C0 | self.pin_tries
        self.pin_tries, self.pin_verified, self.pin_fresh = 3, True, True
        return b"", OK

    def _ins_24(self, p1, p2, data):
        which = "pin" if p2 == 0x80 else "puk"
        tries = getattr(self, f"{which}_tries")
        if tries == 0:
            return b"", BLOCKED
        old, new = data[:8].rstrip(b"\xff").decode(), data[8:].rstrip(b"\xff").decode()
        if old != getattr(self, which):
            setattr(self, f"{which}_tries", tries - 1)
            return b"", BLOCKED if tries == 1 else 0x63C0 | (tries - 1)
        setattr(self, which, new)
        setattr(self, f"{which}_tries", 3)
        return b"", OK

    # management key ---------------------------------------------------
    def _cipher(self):
        if self.management_type == TDES:
            from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES

            return Cipher(TripleDES(self.management_key), modes.ECB())  # noqa: S305
        return Cipher(algorithms.AES(self.management_key), modes.ECB())  # noqa: S305

    def _management(self, data):
        inner = parse_tlvs(parse_tlvs(data)[0x7C])
        block = 8 if self.management_type == TDES else 16
        if 0x80 in inner and not inner[0x80]:
            self.witness = os.urandom(block)
            encryptor = self._cipher().encryptor()
            return tlv(0x7C, tlv(0x80, encryptor.update(self.witness))), OK
        if self.witness is None or inner.get(0x80) != self.witness:
            self.witness = None
            return b"", SECURITY
        self.witness, self.authenticated = None, True
        encryptor = self._cipher().encryptor()
        return tlv(0x7C, tlv(0x82, encryptor.update(inner[0x81]))), OK

    def _ins_ff(self, p1, p2, data):
        if not self.authenticated:
            return b"", SECURITY
        self.management_type = data[0]
        self.management_key = parse_tlvs(data[1:])[0x9B]
        return b"", OK

    # keys -------------------------------------------------------------
    def _ins_47(self, p1, p2, data):
        if not self.authenticated:
            return b"", SECURITY
        spec = parse_tlvs(parse_tlvs(data)[0xAC])
        algorithm = spec[0x80][0]
        if algorithm not in ALGORITHMS or (algorithm in NEW_ALGORITHMS
                                           and self.firmware < (5, 7, 0)):
            return b"", WRONG_DATA
        kind = ALGORITHMS[algorithm]
        if kind == "ed25519":
            private = ed25519.Ed25519PrivateKey.generate()
        elif isinstance(kind, int):
            private = rsa.generate_private_key(65537, kind)
        else:
            private = ec.generate_private_key(ec.SECP256R1() if kind == "p256" else ec.SECP384R1())
        pin = spec.get(0xAA, b"\x00")[0] or SLOT_DEFAULT_PIN.get(p2, 2)
        touch = spec.get(0xAB, b"\x00")[0] or 1
        self.slots[p2] = SlotKey(private, algorithm, pin, touch)
        return tlv(0x7F49, self._public_tlvs(private, algorithm)), OK

    def _public_tlvs(self, private, algorithm: int) -> bytes:
        public = private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            numbers = public.public_numbers()
            return (tlv(0x81, numbers.n.to_bytes(public.key_size // 8, "big"))
                    + tlv(0x82, numbers.e.to_bytes(3, "big")))
        if isinstance(public, ed25519.Ed25519PublicKey):
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return tlv(0x86, raw)
        return tlv(0x86, public.public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint))

    def _ins_f6(self, p1, p2, data):  # MOVE KEY; to 0xFF deletes (firmware 5.7)
        if self.firmware < (5, 7, 0):
            return b"", NO_INS
        if not self.authenticated:
            return b"", SECURITY
        if p2 not in self.slots:
            return b"", NO_KEY
        key = self.slots.pop(p2)
        if p1 != 0xFF:
            self.slots[p1] = key
        return b"", OK

    def _ins_f9(self, p1, p2, data):
        key = self.slots.get(p1)
        if key is None:
            return b"", NO_KEY
        if not key.generated:
            return b"", WRONG_DATA
        slot_cert = certificate(
            f"YubiKey PIV Attestation {p1:02x}", "Yubico PIV Attestation",
            key.private.public_key(), self.device_key, ca=False,
            extensions=yubico_extensions(firmware=self.firmware, serial=self.serial,
                                         pin=key.pin_policy, touch=key.touch_policy,
                                         form=self.form_factor),
            start=self.device_cert.not_valid_before_utc.astimezone(UTC),
            end=self.device_cert.not_valid_after_utc.astimezone(UTC))
        return slot_cert.public_bytes(serialization.Encoding.DER), OK

    def _ins_cb(self, p1, p2, data):
        object_id = parse_tlvs(data).get(0x5C)
        if object_id != bytes.fromhex("5fff01"):
            return b"", NOT_FOUND
        der = self.device_cert.public_bytes(serialization.Encoding.DER)
        return tlv(0x53, tlv(0x70, der) + tlv(0x71, b"\x00") + tlv(0xFE)), OK

    def _ins_87(self, p1, p2, data):
        if p2 == 0x9B:
            return self._management(data)
        key = self.slots.get(p2)
        if key is None:
            return b"", NO_KEY
        if key.pin_policy == 3 and not self.pin_fresh or key.pin_policy == 2 and \
                not self.pin_verified:
            return b"", SECURITY
        self.pin_fresh = False
        if key.touch_policy in (2, 3):
            self.touches += 1
        message = parse_tlvs(parse_tlvs(data)[0x7C])[0x81]
        private = key.private
        if isinstance(private, ed25519.Ed25519PrivateKey):
            signature = private.sign(message)
        elif isinstance(private, rsa.RSAPrivateKey):
            numbers = private.private_numbers()
            value = pow(int.from_bytes(message, "big"), numbers.d, numbers.public_numbers.n)
            signature = value.to_bytes(private.key_size // 8, "big")
        else:
            digest = hashes.SHA256() if private.curve.key_size == 256 else hashes.SHA384()
            signature = private.sign(message, ec.ECDSA(utils.Prehashed(digest)))
        return tlv(0x7C, tlv(0x82, signature)), OK


def _command_data(body: bytes) -> bytes:
    """The data field of a short or extended command APDU."""
    if not body or len(body) == 1:
        return b""
    if body[0] == 0 and len(body) >= 3:
        size = int.from_bytes(body[1:3], "big")
        if len(body) in (3 + size, 5 + size) and size:
            return body[3 : 3 + size]
        if len(body) == 3:
            return b""
    return body[1 : 1 + body[0]]


class FakeConnection(SmartCardConnection):
    """What yubikit's sessions talk to: one card, over USB."""

    def __init__(self, card: FakePivCard) -> None:
        self.card = card
        self.closed = False

    @property
    def transport(self) -> TRANSPORT:
        return TRANSPORT.USB

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        return self.card.answer(bytes(apdu))

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeReader:
    """A PC/SC reader holding one fake card (what hsm.yubikey.device lists)."""

    card: FakePivCard
    name: str = "Yubico YubiKey OTP+FIDO+CCID 00 00"

    def connect(self) -> FakeConnection:
        if self.card.removed:
            raise OSError("no card in the reader")
        return self.card.connection()
