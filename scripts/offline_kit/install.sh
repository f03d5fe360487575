#!/usr/bin/env bash
# Installs `ceremony` from this offline kit on an air-gapped Debian 12 laptop.
#
#   ./install.sh VENV_DIR [--yes] [--python PATH]
#
# 1. Copies the kit to a private folder and checks every file there against
#    SHA256SUMS: one changed byte, a missing file or a file SHA256SUMS does not
#    list refuses the whole kit, before anything is installed.
# 2. Installs the kit's Debian packages that are not installed yet (dpkg -i),
#    after showing them and asking (--yes: do not ask).
# 3. Makes a new virtual environment VENV_DIR with
#    pip install --no-index --find-links wheels --require-hashes.
# 4. Prints the software digest, grouped for reading aloud: every ceremony
#    shows the same digest at its start.
# It never reaches for a network. VENV_DIR must not exist yet.
set -euo pipefail
umask 022
export LC_ALL=C

say() { printf '%s\n' "$*"; }
refuse() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

venv="" yes=0 python=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
        --yes) yes=1 ;;
        --python) [ $# -ge 2 ] || refuse "--python needs a path, e.g. --python /usr/bin/python3"; python="$2"; shift ;;
        -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) refuse "unknown option $1 (usage: ./install.sh VENV_DIR [--yes] [--python PATH])" ;;
        *) [ -z "$venv" ] || refuse "one VENV_DIR only (usage: ./install.sh VENV_DIR [--yes])"; venv="$1" ;;
    esac
    shift
done
[ -n "$venv" ] || refuse "name the new virtual environment: ./install.sh VENV_DIR (e.g. ~/ceremony-venv)"
if [ -e "$venv" ] || [ -L "$venv" ]; then
    refuse "$venv already exists: name a new folder (nothing is ever overwritten)"
fi
parent="$(dirname -- "$venv")"
[ -d "$parent" ] || refuse "$parent does not exist: make it first, or name another place for the venv"
venv="$(cd -- "$parent" && pwd -P)/$(basename -- "$venv")"
kit="$(cd -- "$(dirname -- "$0")" && pwd -P)"

# --- 1. check the kit, from a private copy -----------------------------------
work="$(mktemp -d)"
made_venv=0
cleanup() {
    rm -rf "$work"
    if [ "$made_venv" = 1 ]; then rm -rf "$venv"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$kit/SHA256SUMS" ] && [ ! -L "$kit/SHA256SUMS" ] \
    || refuse "the kit has no SHA256SUMS: it is not whole; nothing was installed"
odd="$(find "$kit" -mindepth 1 ! -type f ! -type d -printf '  %P\n')"
[ -z "$odd" ] || refuse "the kit holds entries that are not plain files (links, pipes, devices):
$odd
It is not the kit that was built; nothing was installed."
cp -- "$kit/SHA256SUMS" "$work/SHA256SUMS"
if grep -vqE '^[0-9a-f]{64}  [A-Za-z0-9][A-Za-z0-9._+~-]*(/[A-Za-z0-9][A-Za-z0-9._+~-]*)*$' "$work/SHA256SUMS"; then
    refuse "SHA256SUMS has a line that is not 'sha256  file': the kit was changed; nothing was installed"
fi
cut -c67- "$work/SHA256SUMS" | sort > "$work/listed"
(cd "$kit" && find . -mindepth 1 -type f ! -path ./SHA256SUMS -printf '%P\n' | sort) > "$work/present"
missing="$(comm -23 "$work/listed" "$work/present" | sed 's/^/  /')"
extra="$(comm -13 "$work/listed" "$work/present" | sed 's/^/  /')"
[ -z "$missing" ] || refuse "files listed in SHA256SUMS are missing from the kit:
$missing
The kit is not whole; nothing was installed. Copy the kit again from the checked original."
[ -z "$extra" ] || refuse "the kit holds files that SHA256SUMS does not list:
$extra
Someone added them; nothing was installed. Copy the kit again from the checked original."
mkdir "$work/kit"
while IFS= read -r name; do
    mkdir -p -- "$work/kit/$(dirname -- "$name")"
    cp -- "$kit/$name" "$work/kit/$name"
done < "$work/listed"
cp -- "$work/SHA256SUMS" "$work/kit/SHA256SUMS"
if ! changed="$(cd "$work/kit" && sha256sum --strict --quiet -c SHA256SUMS 2>&1)"; then
    refuse "these files differ from SHA256SUMS:
$(printf '%s\n' "$changed" | grep -v '^sha256sum: WARNING' | sed 's/^/  /')
The kit was changed after it was built; nothing was installed."
fi
kit_sha="$(sha256sum "$work/kit/SHA256SUMS" | cut -c1-64)"
count="$(wc -l < "$work/listed")"
say "Kit checked: all $count files match SHA256SUMS."
kit="$work/kit"

# --- 2. Debian packages --------------------------------------------------------
need=()
for deb in "$kit"/debs/*.deb; do
    [ -e "$deb" ] || continue
    package="$(dpkg-deb -f "$deb" Package)"
    arch="$(dpkg-deb -f "$deb" Architecture)"
    [ "$arch" = all ] || package="$package:$arch"
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    [ "$status" = installed ] || need+=("$deb")
done
if [ ${#need[@]} -eq 0 ]; then
    say "Debian packages: every one in the kit is installed already."
else
    say "These ${#need[@]} Debian packages from the kit are not installed:"
    for deb in "${need[@]}"; do say "  $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"; done
    [ "$(id -u)" = 0 ] || refuse "installing them needs root: run again with sudo. Nothing was installed."
    if [ "$yes" != 1 ]; then
        [ -t 0 ] || refuse "not asked: no terminal to ask on. Run again with --yes to install them. Nothing was installed."
        read -r -p "Install them with dpkg -i? Type yes to go on: " answer
        [ "$answer" = yes ] || refuse "stopped at your word; nothing was installed"
    fi
    dpkg --no-act -i "${need[@]}" >/dev/null 2>"$work/dpkg-check" \
        || refuse "dpkg says these packages cannot be installed here:
$(sed 's/^/  /' "$work/dpkg-check")
Nothing was installed. Is this Debian 12 (bookworm)?"
    dpkg -i "${need[@]}" || refuse "dpkg -i failed (its messages are above)"
fi

# --- 3. the virtual environment --------------------------------------------------
field() { "$python" -I -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' "$kit/KIT.json" "$@"; }
[ -x "$python" ] || refuse "$python is missing: install Debian's python3 (the kit's debs/ hold it) or name one with --python"
want_python="$(field python version)"
have_python="$("$python" -I -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$have_python" = "$want_python" ] \
    || refuse "$python is Python $have_python; this kit's wheels are for Python $want_python. Nothing was installed in a venv."
made_venv=1
"$python" -I -m venv "$venv" \
    || refuse "could not make the virtual environment $venv (is python3-venv installed?)"
PIP_CONFIG_FILE=/dev/null "$venv/bin/python" -I -m pip install --isolated --quiet \
    --no-index --find-links "$kit/wheels" --require-hashes --no-cache-dir \
    --disable-pip-version-check -r "$kit/install-requirements.txt" \
    || refuse "pip could not install the kit's wheels into $venv (its messages are above); $venv was removed"
PIP_CONFIG_FILE=/dev/null "$venv/bin/python" -I -m pip check --isolated --disable-pip-version-check >/dev/null \
    || refuse "the installed packages do not fit together (pip check); $venv was removed"
mkdir -p "$venv/share/ceremony"
cp -- "$kit/requirements.lock" "$kit/install-requirements.txt" "$venv/share/ceremony/"

# --- 4. the software digest --------------------------------------------------------
recorded="$(field tool software_digest)"
shown="$("$venv/bin/ceremony" version --verbose | sed -n 's/^software digest //p' | tr -d ' ')"
[ "$shown" = "$recorded" ] || refuse "the installed tool's digest ($shown) is not the one the kit recorded ($recorded); $venv was removed"
made_venv=0
say "Installed $(field tool name) $(field tool version) into $venv (from commit $(field source commit))."
say "The kit's SHA256SUMS has sha256 $(printf '%s' "$kit_sha" | sed 's/..../& /g; s/ $//')"
say ""
say "Software digest: read it aloud. Every ceremony shows the same at its start,"
say "and \`$venv/bin/ceremony version --verbose\` prints it."
printf '%s\n' "$recorded" | fold -w 16 | sed 's/..../& /g; s/ $//; s/^/    /'
