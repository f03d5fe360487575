"""``ceremony verify`` of a Sigstore bundle: the TUF part, the mirror, the documents."""
