"""The Sigstore flavor: a private Sigstore instance's TUF trust root, made offline."""
