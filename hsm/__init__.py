"""Key backends: where private keys live and how they sign.

Every backend (software keys kept encrypted, PKCS#11 tokens, YubiKey PIV)
hands the engine a :class:`hsm.signer.KeySigner`: a securesystemslib
``Signer`` that python-tuf's ``Metadata.sign()`` accepts, and that checks
every signature it makes with ``cryptography`` before giving it out.

This package never imports ``ceremony``: it knows keys, not ceremonies.
"""
