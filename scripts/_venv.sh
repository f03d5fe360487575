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
    spec="$top"
    [ -n "${CEREMONY_EXTRAS:-}" ] && spec="$top[${CEREMONY_EXTRAS}]"
    log="$venv/install.log"
    if ! { "$venv/bin/python" -m pip install --upgrade pip \
           && "$venv/bin/python" -m pip install -e "$spec"; } > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "ceremony: installing into $venv failed (the whole log: $log)" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
