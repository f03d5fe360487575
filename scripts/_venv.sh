# Sourced by the scripts in this folder: makes (or remakes) the project's
# virtual environment in .venv from requirements-dev.lock, so that a fresh
# Debian machine with nothing but Python runs the tool and its tests on the
# same bytes as the offline kit (every wheel checked against its locked
# sha256). It never touches the system Python. The venv keeps a copy of
# requirements.lock, which the tool's software digest covers.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$top/.venv"
stamp="$venv/.installed-from"
want="$(cat "$top/pyproject.toml" "$top/requirements.lock" "$top/requirements-dev.lock" \
        | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    made_from="$(python3 "$top/scripts/lockfile.py" stamp)"
    for lock in requirements.lock requirements-dev.lock; do
        if ! grep -qx "# pyproject.toml dependencies sha256: $made_from" "$top/$lock"; then
            echo "ceremony: $lock does not match pyproject.toml's dependencies;" \
                 "refresh the locks with ./scripts/lock and commit them" >&2
            exit 1
        fi
    done
    echo "ceremony: preparing the virtual environment in $venv (first use only)" >&2
    python3 -m venv --clear "$venv"
    log="$venv/install.log"
    if ! { "$venv/bin/python" -m pip install --require-hashes --no-deps \
               -r "$top/requirements-dev.lock" \
           && "$venv/bin/python" -m pip install --no-deps --no-build-isolation -e "$top" \
           && "$venv/bin/python" -m pip check; } > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "ceremony: installing into $venv failed (the whole log: $log)" >&2
        exit 1
    fi
    mkdir -p "$venv/share/ceremony"
    cp "$top/requirements.lock" "$venv/share/ceremony/requirements.lock"
    echo "$want" > "$stamp"
fi
