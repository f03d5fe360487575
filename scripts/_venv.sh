# Sourced by the scripts in this folder: makes (or refreshes) the project's
# virtual environment in .venv so that a fresh Debian machine with nothing but
# Python can run the tool and its tests. It never touches the system Python.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$top/.venv"
stamp="$venv/.installed-from"
want="$(cat "$top/pyproject.toml" | sha256sum | cut -d' ' -f1)-${CEREMONY_EXTRAS:-}"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "ceremony: preparing the virtual environment in $venv (first use only)" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
    spec="$top"
    [ -n "${CEREMONY_EXTRAS:-}" ] && spec="$top[${CEREMONY_EXTRAS}]"
    "$venv/bin/python" -m pip install --quiet -e "$spec" >&2
    echo "$want" > "$stamp"
fi
