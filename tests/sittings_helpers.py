"""Separated sittings for the tests: each its own process, home and SoftHSM token dir.

Nothing passes between two sittings but the folders standing in for media:
each runs ``python -m ceremony`` (or a short script) with a home of its own
and a SoftHSM configuration of its own (none, unless the test gives one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from quick_scrypt.sitecustomize import python_path

TOP = Path(__file__).resolve().parent.parent

# a keyholder makes a new key at their own sitting: an age file, its public key printed
# (argv: the file, its passphrase, and the algorithm when not ed25519)
MAKE_KEY_FILE = """\
import sys
from pathlib import Path
from hsm.algorithms import ALGORITHMS
from hsm.software import SoftwareKey
key = SoftwareKey.generate(ALGORITHMS[(sys.argv[3:] or ["ed25519"])[0]])
Path(sys.argv[1]).write_bytes(key.encrypt(sys.argv[2]))
print(key.facts().public_pem, end="")
"""


def sitting(room: Path, *argv: str, env: dict[str, str] | None = None,
            ok: bool = True) -> subprocess.CompletedProcess[str]:
    """One sitting: its own process and home, and a SoftHSM configuration of its own
    (none, unless ``env`` names one)."""
    result = subprocess.run([sys.executable, *argv], cwd=room.parent, env=sitting_env(room, env),
                            capture_output=True, text=True, timeout=600)
    if ok:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def sitting_env(room: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """A sitting's environment: its own home, and no SoftHSM tokens but ``env``'s."""
    home = room / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": python_path(TOP),
        "SOFTHSM2_CONF": str(room / "no-softhsm.conf"), **(env or {}),
    }


def ceremony(room: Path, *argv: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return sitting(room, "-m", "ceremony", *argv, **kw)  # type: ignore[arg-type]
