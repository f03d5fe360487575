"""Signing in several sittings: a request on media, signatures brought back, a seal.

The first sitting writes a signing request (request.py): the unsigned
payloads in the bytes that get signed, the script, who signs with which
key, the thresholds and a summary of what changes. Each keyholder signs it
at a sitting of their own, anywhere (sign.py), and brings back a signature
file; the sealing sitting counts them against the request and seals the
bundle once every threshold is met (seal.py). What differs by flavor (which
payloads, how a signature is made and checked, what the bundle holds) is
asked of the flavor's :class:`~ceremony.sittings.adapter.SittingsAdapter`.
Nothing here prints or prompts; a request never carries private material.
"""
