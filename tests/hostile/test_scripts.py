"""Ceremony scripts written to mislead, crash or escape: each refused at validate.

A script is reviewed, then carried to the offline laptop: whoever touches it
on the way (or writes it in bad faith) can add YAML that means something
other than what reviewers read, names that climb out of the bundle, outputs
that point through a link or into the kernel, or thresholds nobody can meet.
Each case starts from a small bootstrap that validates (tests/test_run_headless.py),
changes one thing, and must be refused by ``ceremony validate`` with its
exact message naming the file, line and field, and with nothing written.
``run`` is tried where preflight is what must hold the line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.helpers import cli, refused

BOMB = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
)
ROOT_ROLE = "root: {keys: [root-a, root-b], threshold: 1, expires: 1y}"


def text(old: str, new: str) -> Callable[[str], str]:
    def change(script: str) -> str:
        assert old in script, old
        return script.replace(old, new, 1)
    return change


def appended(extra: str) -> Callable[[str], str]:
    return lambda script: script + extra


def prepended(extra: str) -> Callable[[str], str]:
    return lambda script: extra + script


def role(new: str) -> Callable[[str], str]:
    return text(ROOT_ROLE, new)


NAME_RULE = "is not a valid name. Names use lowercase letters, digits and hyphens"

# (id, change to the script text, the message; {s} is the script's file name)
CASES: list[tuple[str, Callable[[str], str], str]] = [
    ("an alias repeating a value", text(
        "keyholders: [{name: a}, {name: b}]", "keyholders: &holders [{name: a}, {name: b}]\n"
        "spare-keyholders: *holders"),
     "{s}:9: spare-keyholders: the alias *holders repeats a value from elsewhere. Write the "
     "value out in full"),
    ("a billion-laughs bomb", prepended(BOMB),
     "{s}:2: b[0]: the alias *a repeats a value from elsewhere"),
    ("a merge key pulling in another mapping", text(
        "  timestamp: {keys: [timestamp], threshold: 1, expires: 7d}",
        "  timestamp: &t {keys: [timestamp], threshold: 1, expires: 7d}\n"
        "  other: {<<: *t}"),
     "{s}:20: roles.other.<<: the alias *t repeats a value from elsewhere"),
    ("a field written twice", appended("title: an innocent second title\n"),
     "{s}:23: title: defined twice, on lines 4 and 23. Keep one of them"),
    ("a threshold written twice in one role", role(
        "root: {keys: [root-a, root-b], threshold: 1, threshold: 2, expires: 1y}"),
     "{s}:16: roles.root.threshold: defined twice, on line 16. Keep one of them"),
    ("a key listed twice under keys", text(
        "  - {name: targets, import: online/targets.pem}",
        "  - {name: targets, import: online/targets.pem}\n"
        "  - {name: targets, import: online/snapshot.pem}"),
     "{s}:13: keys[3].name: the key 'targets' is already defined on line 12. Give each key "
     "its own name"),
    ("a second document after ---", appended("---\nceremony: rotate-root\n"),
     "{s}:23: a second YAML document starts here, and a script is one document"),
    ("a python object tag", role(
        "root: {keys: [root-a, root-b], threshold: !!python/object/apply:os.system [id], "
        "expires: 1y}"),
     "{s}:16: roles.root.threshold: the YAML tag tag:yaml.org,2002:python/object/apply:"
     "os.system is not allowed"),
    ("a title of 100,000 characters", text("title: test bootstrap", "title: " + "t" * 100_000),
     "{s}:4: title: the title is 100,000 characters. Write one line of at most 200 "
     "characters"),
    ("a title over several lines", text(
        "title: test bootstrap", 'title: "test bootstrap\\n\\nsha256 0000 looks fine"'),
     "{s}:4: title: the title is 38 characters over several lines"),
    ("a title the records' font cannot print", text(
        "title: test bootstrap", 'title: "Trust root for 北京 (Пекин)"'),
     "{s}:4: title: the title has characters the printed records' font cannot show: 北 京. "
     "Write the title in letters the records print (Latin, Greek, Cyrillic), e.g. "
     "transliterated"),
    ("a number of five thousand digits", text(
        "title: test bootstrap", "title: test bootstrap\nrehearsal: " + "9" * 5000),
     "{s}:5: rehearsal: a value 5,000 characters long that reads as a number "
     "(999999999999...). Write the value the field expects"),
    ("a local tag", text("title: test bootstrap", "title: !vault test bootstrap"),
     "{s}:4: title: the YAML tag !vault is not allowed"),
    ("a !!str threshold", role(
        "root: {keys: [root-a, root-b], threshold: !!str 1, expires: 1y}"),
     "{s}:16: roles.root.threshold: expected a whole number, got '1'. Write the threshold as a "
     "number, e.g. 2"),
    ("a YAML 1.1 yes for a setting", text("network: allowed", "network: yes"),
     "{s}:5: network: expected one of forbidden, allowed, got 'yes'"),
    ("an octal-looking threshold (decimal here)", role(
        "root: {keys: [root-a, root-b], threshold: 010, expires: 1y}"),
     "{s}:16: roles.root.threshold: the threshold is 10 but there are only 2 keys"),
    ("a raw escape sequence in the title", text(
        "title: test bootstrap", "title: test \x1b[2J\x1b[1;1Hbootstrap"),
     "{s}:4: the character U+001B is not allowed in YAML. Remove it; scripts are plain text"),
    ("a bell in a keyholder name", text("{name: a}", "{name: \"a\x07\"}"),
     "{s}:8: the character U+0007 is not allowed in YAML"),
    ("a NUL byte", text("title: test bootstrap", "title: test\x00bootstrap"),
     "{s}:4: the character U+0000 is not allowed in YAML"),
    ("an escape written as \\e in a key name", text(
        "name: root-a, holder", 'name: "root-\\e[31ma", holder'),
     "{s}:10: keys[0].name: the text holds a character that cannot be seen or that "
     "controls the terminal: \\x1b"),
    ("a key name climbing out with ..", text(
        "name: root-a, holder", "name: ../../root-a, holder"),
     "{s}:10: keys[0].name: '../../root-a' " + NAME_RULE),
    ("a key name with a slash", text("name: root-b, holder", "name: offline/root-b, holder"),
     "{s}:11: keys[1].name: 'offline/root-b' " + NAME_RULE),
    ("an absolute key name", text("name: root-b, holder", "name: /etc/root-b, holder"),
     "{s}:11: keys[1].name: '/etc/root-b' " + NAME_RULE),
    ("a key name with a Cyrillic look-alike", text(
        "name: root-a, holder", "name: root-\u0430, holder"),
     "{s}:10: keys[0].name: 'root-\u0430' " + NAME_RULE),
    ("an empty key name", text("name: root-b, holder", "name: '', holder"),
     "{s}:11: keys[1].name: expected text, got ''. Write a name; Names use lowercase "
     "letters"),
    ("a keyholder name with a space", text("{name: b}", "{name: 'b b'}"),
     "{s}:8: keyholders[1].name: 'b b' " + NAME_RULE),
    ("a threshold nobody can meet", role(
        "root: {keys: [root-a, root-b], threshold: 3, expires: 1y}"),
     "{s}:16: roles.root.threshold: the threshold is 3 but there are only 2 keys, so it could "
     "never be met"),
    ("a threshold of 0", role("root: {keys: [root-a, root-b], threshold: 0, expires: 1y}"),
     "{s}:16: roles.root.threshold: the threshold must be at least 1, got 0. Write how many "
     "of the 2 keys must sign, from 1 to 2"),
    ("a negative threshold", role(
        "root: {keys: [root-a, root-b], threshold: -1, expires: 1y}"),
     "{s}:16: roles.root.threshold: the threshold must be at least 1, got -1"),
    ("a fractional threshold", role(
        "root: {keys: [root-a, root-b], threshold: 1.5, expires: 1y}"),
     "{s}:16: roles.root.threshold: expected a whole number, got 1.5"),
    ("a root key listed twice to reach its threshold", role(
        "root: {keys: [root-a, root-a], threshold: 2, expires: 1y}"),
     "{s}:16: roles.root.keys[1]: 'root-a' is listed twice. List each key once"),
    ("an expiry ten thousand years away", role(
        "root: {keys: [root-a, root-b], threshold: 1, expires: 10000y}"),
     "{s}:16: roles.root.expires: '10000y' is too far in the future. Give an expiry before "
     "the year 10000"),
    ("an expiry in the past", role(
        "root: {keys: [root-a, root-b], threshold: 1, expires: 2001-01-01}"),
     "{s}:16: roles.root.expires: this expiry, 2001-01-01T00:00:00Z, is not in the future"),
    ("a role naming a key that does not exist", role(
        "root: {keys: [root-a, root-z], threshold: 1, expires: 1y}"),
     "{s}:16: roles.root.keys[1]: no key named 'root-z' is defined in this script. Define it "
     "under keys, or use one of: root-a, root-b, snapshot, targets, timestamp"),
    ("a passphrase written into the script", text(
        "root-a: {env: ROOT_A_PASS}", "root-a: correct horse battery staple"),
     "{s}:21: passphrases.root-a: scripts never contain secrets, and this looks like a "
     "passphrase written out"),
    ("a private key pasted under a field", appended(
        "private-key: MC4CAQAwBQYDK2VwBCIEIBm3\n"),
     "{s}:23: private-key: scripts never contain secrets, and this field looks like it holds "
     "one"),
    ("an unknown field (a typo)", appended("outptu: elsewhere\n"),
     "{s}:23: outptu: unknown field 'outptu' (did you mean 'output'?)"),
    ("another format", text("format: 1", "format: 2"),
     "{s}:1: format: this version of ceremony reads format 1 scripts, not format 2"),
    ("an unknown flavor", text("flavor: tuf", "flavor: \"tuf\\e[8m\""),
     "{s}:3: flavor: the text holds a character that cannot be seen or that controls the "
     "terminal: \\x1b"),
    ("a list instead of a script", lambda script: "- format: 1\n- ceremony: bootstrap\n",
     "{s}:1: expected a mapping of fields (name: value), got a list"),
    ("an empty file", lambda script: "", "{s}: the script is empty"),
    ("a deeply nested list", appended("deep: " + "[" * 5000 + "]" * 5000 + "\n"),
     "{s}: the YAML is nested too deeply to be a ceremony script"),
    ("a deeply nested mapping", appended("deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"),
     "{s}: the YAML is nested too deeply to be a ceremony script"),
]


@pytest.mark.parametrize("change, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validate_refuses_the_script(script, change, message):
    script.write_text(change(script.read_text()))
    ran = refused(script.parent, lambda: cli("validate", script),
                  "ceremony: " + message.format(s=script.name))
    assert "preflight passes" not in ran.out
    assert "\x1b" not in ran.said and "\x07" not in ran.said


def test_a_script_that_is_not_utf8(script):
    script.write_bytes(script.read_bytes().replace(b"test bootstrap", b"test \xff\xfe"))
    refused(script.parent, lambda: cli("validate", script),
            f"ceremony: {script.name}: the script is not UTF-8 text. Save it as UTF-8 plain text")


def test_a_script_in_utf16(script):
    script.write_bytes(script.read_text().encode("utf-16"))
    refused(script.parent, lambda: cli("validate", script),
            f"ceremony: {script.name}: the script is not UTF-8 text")


# the output, where preflight holds the line ------------------------------------------


def output_link(folder: Path) -> str:
    (folder / "elsewhere").mkdir()
    (folder / "out").symlink_to(folder / "elsewhere", target_is_directory=True)
    return "output: {f}/out is a symbolic link: a bundle is written only where the script " \
           "names, never through a link"


def output_inside_link(folder: Path) -> str:
    (folder / "real-media").mkdir()
    (folder / "media").symlink_to(folder / "real-media", target_is_directory=True)
    return "{f}/media is a symbolic link"


def dangling_output_link(folder: Path) -> str:
    (folder / "out").symlink_to("/etc/cron.d/ceremony")
    return "output: {f}/out is a symbolic link"


def output_is_a_file(folder: Path) -> str:
    (folder / "out").write_text("not a folder\n")
    return ("output: {f}/out already exists: a bundle is never written over anything; "
            "name a new output in the script (then review it again) or use an empty medium")


def output_under_a_file(folder: Path) -> str:
    (folder / "plain").write_text("a file\n")
    return "{f}/plain"


OUTPUTS: list[tuple[str, str, Callable[[Path], str] | None, str]] = [
    ("the output a planted link", "out", output_link, ""),
    ("the output below a planted link", "media/out", output_inside_link, ""),
    ("the output a dangling link", "out", dangling_output_link, ""),
    ("the output an existing file", "out", output_is_a_file, ""),
    ("the output below a file", "plain/out", output_under_a_file, ""),
    ("the output under /proc", "/proc/self/out", None,
     "medium of the bundle: /proc/self/out is inside /proc (proc), a view of the kernel, not a "
     "medium: name a folder on the removable medium"),
    ("the output under /sys", "/sys/kernel/out", None,
     "/sys/kernel/out is inside /sys (sysfs), a view of the kernel, not a medium"),
    ("the output under /dev", "/dev/shm-out/out", None, "/dev/shm-out does not exist"),
]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("output, prepare, message", [o[1:] for o in OUTPUTS],
                         ids=[o[0] for o in OUTPUTS])
def test_preflight_refuses_the_output(tmp_path, passphrases, command, output, prepare, message):
    from test_run_headless import small_bootstrap

    script = small_bootstrap(tmp_path, output=output)
    if prepare is not None:
        message = prepare(tmp_path)
    extra = ("--yes",) if command == "run" else ()
    ran = refused(tmp_path, lambda: cli(command, script, *extra), message.format(f=tmp_path))
    assert "nothing was done" in ran.err
    assert not os.path.exists("/proc/self/out")


def test_a_key_name_too_long_for_a_file_name(tmp_path, passphrases):
    from test_run_headless import small_bootstrap

    script = small_bootstrap(tmp_path)
    long_name = "root-" + "a" * 300
    script.write_text(script.read_text().replace("root-a", long_name))
    refused(tmp_path, lambda: cli("run", script, "--yes"),
            f"the name {long_name[:16]!r}... is 305 characters long: files are named after it",
            "Use a name of at most 250 characters")


# custody: where the copies and the sheets go -----------------------------------------

CUSTODY = """\
custody:
  media: [{a}, {b}]
  sheets: {sheets}
  shares: {{threshold: {threshold}, of: {of}}}
  custodians: [{custodians}]
"""


def linked(name: str) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        (folder / name).rmdir()
        (folder / f"real-{name}").mkdir()
        (folder / name).symlink_to(folder / f"real-{name}", target_is_directory=True)
    return plant


LINK_WORDS = ("is a symbolic link: custody is written only where the script names, never "
              "through a link (one planted on the media would send it elsewhere)")

# (id, fields of the custody section, what to plant first, the message; {f}: the folder)
CUSTODY_CASES: list[tuple[str, dict, Callable[[Path], None] | None, str]] = [
    ("a custody medium that is a planted link", {}, linked("media-a"),
     "custody copy {f}/media-a: {f}/media-a " + LINK_WORDS),
    ("a sheets folder that is a planted link", {}, linked("sheets"),
     "share sheets {f}/sheets: {f}/sheets " + LINK_WORDS),
    ("a custody copy into /proc", {"a": "/proc/self/fd"}, None,
     "medium of the custody copy: /proc/self/fd is inside /proc (proc), a view of the kernel, "
     "not a medium"),
    ("the sheets on a custody medium", {"sheets": "media-a"}, None,
     "{s}:25: custody.sheets: the share sheets' folder and custody.media[0] lie one inside the "
     "other; a share never goes on the same medium as the bundle"),
    ("the sheets inside a custody medium", {"sheets": "media-b/sheets"}, None,
     "{s}:25: custody.sheets: the share sheets' folder and custody.media[1] lie one inside the "
     "other"),
    ("one medium named twice", {"b": "media-a"}, None,
     "{s}:24: custody.media[1]: the same folder as custody.media[0], so it would not be a "
     "second copy"),
    ("any one custodian alone recovers", {"threshold": 1}, None,
     "{s}:26: custody.shares.threshold: 1 of 3: SLIP-39 does not make several shares any one "
     "of which recovers the bundle"),
    ("a share threshold nobody can meet", {"threshold": 4}, None,
     "{s}:26: custody.shares.threshold: the threshold is 4 of 3 shares, so it could never be "
     "met"),
    ("more shares than SLIP-39 makes", {"of": 17, "custodians": ", ".join(
        f"c{i}" for i in range(17))}, None,
     "{s}:26: custody.shares.of: SLIP-39 makes 1 to 16 shares, not 17"),
    ("fewer custodians than shares", {"custodians": "erin, frank"}, None,
     "{s}:27: custody.custodians: 2 custodians are listed for 3 shares"),
    ("one custodian holding two shares", {"custodians": "erin, erin, frank"}, None,
     "{s}:27: custody.custodians[1]: 'erin' is listed twice, and a custodian holds one share"),
]


@pytest.mark.parametrize("fields, prepare, message", [c[1:] for c in CUSTODY_CASES],
                         ids=[c[0] for c in CUSTODY_CASES])
def test_validate_refuses_the_custody_section(tmp_path, passphrases, fields, prepare, message):
    from test_run_headless import small_bootstrap

    for name in ("media-a", "media-b", "sheets"):
        (tmp_path / name).mkdir()
    if prepare is not None:
        prepare(tmp_path)
    section = {"a": "media-a", "b": "media-b", "sheets": "sheets", "threshold": 2, "of": 3,
               "custodians": "erin, frank, grace", **fields}
    script = small_bootstrap(tmp_path, extra=CUSTODY.format(**section))
    refused(tmp_path, lambda: cli("validate", script),
            message.format(f=tmp_path, s=script.name))
