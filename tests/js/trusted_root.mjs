// A second client for the Sigstore flavor's tests: Sigstore's own @sigstore/tuf
// bootstraps from ROOT, refreshes from the mirror at URL and prints what the
// trusted_root.json it downloaded says, as JSON; a refusal exits 1 with its message.
//   node trusted_root.mjs URL ROOT CACHE
import { getTrustedRoot } from '@sigstore/tuf';

const [mirrorURL, rootPath, cachePath] = process.argv.slice(2);
try {
  const root = await getTrustedRoot({ mirrorURL, rootPath, cachePath, forceInit: true });
  const keyId = (log) => Buffer.from(log.logId.keyId).toString('base64');
  console.log(JSON.stringify({
    mediaType: root.mediaType,
    tlogs: root.tlogs.map(keyId),
    ctlogs: root.ctlogs.map(keyId),
    certificateAuthorities: root.certificateAuthorities.map((ca) => ca.uri),
  }));
} catch (error) {
  console.error(`refused: ${error.code ?? ''} ${error.message}`);
  process.exit(1);
}
