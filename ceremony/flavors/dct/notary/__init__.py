"""Docker Content Trust (Notary v1) metadata, keys and certificates, byte-exact.

Notary v1 is TUF with its own wire format (see ``shared/INTEROP.md``). This
package has a small model of its own with an exact serializer, keeps the
bytes it reads, and builds offline what notary's server and clients accept:
per-GUN root certificates, root/targets/snapshot metadata, rotations,
delegations, and private-key files in notary's trust-dir format.

Modules, one job each: ``errors`` (the layer's exceptions), ``der`` (tiny
DER), ``canonical`` (Go's JSON bytes), ``model`` (a package of wire-shaped
classes, one module per part of a file), ``keyids``, ``signing``, ``certs``,
``keyfiles``, ``validate``, ``serverkeys``, ``root``, ``targets``,
``snapshot``, ``signature_checks`` (what every result must pass),
``repository`` (bootstrap, and what every operation returns), ``rotation``
(the later operations on one GUN) and
``publishset`` (what ``scripts/dct-publish`` uploads). Nothing here prints,
prompts or opens a socket.
"""
