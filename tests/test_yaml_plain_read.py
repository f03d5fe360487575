"""The quick YAML reader (ceremony/script/yaml_plain_read.py) reads what the strict
reader reads, or leaves the text to it: never a different value, type or line, and
never a text the strict reader refuses. Hypothesis writes documents in every style
the subset has and many it has not (anchors, tags, tabs, duplicate keys, odd
scalars such as ``yes``, ``0o10``, ``1e3`` and dates), then spoils them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceremony.errors import ScriptError
from ceremony.script.yaml_plain_read import read_plain
from ceremony.script.yaml_strict import load_strict
from ceremony.script.yaml_values import YamlList, YamlMapping
from ceremony.script.yamlload import load_written_yaml

TOP = Path(__file__).resolve().parent.parent

#: scalars whose reading differs between YAML 1.1, 1.2 and the strict loader
ODD = ["yes", "no", "on", "off", "y", "n", "true", "True", "FALSE", "null", "Null", "~", "0o10",
       "010", "0x1f", "1e3", "1E3", "-1e-3", ".5", "5.", "+.inf", "-.inf", ".nan", ".NaN", "1_000",
       "2027-11-30", "2027-11-30T12:00:00Z", "12:30", "1:20:30", "-", "--x", "+", "+1", "-0",
       "=", "<<", "30d", "1y", "root-alice", "a b  c", "(x)", "@home", "50%", "a,b", ".", "..",
       "...", "x...", "9" * 45, "-" + "1" * 41, "a=b", "~x", "Rehearsal - rotate the root"]
HOSTILE = ["&a ", "*a", "!!str ", "!x ", "|", ">", "? ", ": ", ":", " #", "#", "'", '"', "''",
           "\\", "\t", "\r", "\r\n", "---\n", "...\n", "%YAML 1.2\n", "[", "]", "{", "}", ",",
           "- ", "-", "\n", "  ", "\x00", "\x85", "\u2028", "\ufeff", "é", "`", "@", "<<: "]

keys = st.one_of(st.from_regex(r"[a-z0-9][a-z0-9._/-]{0,12}", fullmatch=True),
                 st.sampled_from(["1", "true", "null", "yes", "0o10", "policy", "rotation"]))
texts = st.one_of(st.sampled_from(ODD),
                  st.from_regex(r"[A-Za-z0-9 _./()~+=@%,:#'\"-]{1,20}", fullmatch=True))
scalars = st.one_of(texts, st.integers(-10**6, 10**6).map(str), st.sampled_from(ODD))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


def shape(value: object) -> object:
    """A value with its types and every line it remembers, to compare whole."""
    if isinstance(value, YamlMapping):
        return ("map", value.line, [(key, value.key_lines[key], value.value_lines[key],
                                     shape(item)) for key, item in value.items()])
    if isinstance(value, YamlList):
        return ("list", value.line, list(value.item_lines), [shape(item) for item in value])
    return (type(value).__name__, repr(value))  # repr: nan equals itself


def holds_to_the_strict_reader(text: str) -> bool:
    """True when the quick reader read ``text`` itself (and read it as the strict one)."""
    quick = read_plain(text)
    try:
        strict = load_strict(text, "s.yaml")
    except ScriptError:
        assert quick is None, text  # the strict reader refuses it: so must the quick one
        return False
    assert quick is None or shape(quick) == shape(strict), text
    return quick is not None


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A YAML text of a mapping, in a mix of styles: block and flow, indented and
    indentless lists, quotes, comments."""
    top = draw(st.dictionaries(keys, values, min_size=1, max_size=5))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# " + draw(texts))

    def scalar(text: str) -> str:
        style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
        if style == "single":
            return "'" + text + "'"
        if style == "double":
            return '"' + text + '"'
        return text

    def flow(value: object) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(flow(v) for v in value) + "]"
        return scalar(str(value))

    def comment() -> str:
        return draw(st.sampled_from(["", "", "  # " + draw(texts)]))

    def block(value: object, indent: int, step: int) -> None:
        pad = " " * indent
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (dict, list)) and item and draw(st.booleans()):
                    lines.append(f"{pad}{key}:{comment()}")
                    indentless = isinstance(item, list) and draw(st.booleans())
                    block(item, indent if indentless else indent + step, step)
                else:
                    lines.append(f"{pad}{key}: {flow(item)}{comment()}")
        else:
            assert isinstance(value, list)
            for item in value:
                if isinstance(item, dict) and item and draw(st.booleans()):
                    first, *rest = item.items()
                    lines.append(f"{pad}- {first[0]}: {flow(first[1])}{comment()}")
                    block(dict(rest), indent + 2, step)
                else:
                    lines.append(f"{pad}- {flow(item)}{comment()}")

    block(top, draw(st.sampled_from([0, 0, 2])), draw(st.sampled_from([2, 4, 1])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_a_written_document_reads_as_the_strict_reader_reads_it(text):
    holds_to_the_strict_reader(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(HOSTILE + ODD)),
                             min_size=1, max_size=3))
def test_a_spoiled_document_is_read_as_the_strict_reader_reads_it_or_left_to_it(text, edits):
    for position, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    holds_to_the_strict_reader(text)


@settings(max_examples=300, deadline=None)
@given(documents(), st.integers(0, 10**6))
def test_a_line_written_twice_is_left_to_the_strict_reader(text, position):
    """A key written twice (a line repeated) is the strict reader's to refuse."""
    lines = text.split("\n")
    at = position % len(lines)
    lines.insert(at, lines[at])
    holds_to_the_strict_reader("\n".join(lines))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\n\tb: 1\n", "a: 1\n---\nb: 2\n",
    "a: [1, 2\n", "a:\nb: 1\n", "a: |\n  x\n", "a: b\n  c\n", "- a\nb: 1\n", "a: 1 # c\n  b: 2",
    "a: {b: 1, b: 2}\n", "a: 'x # y'\n", "a: x#y\n", "? a\n: 1\n", "a: yes\nb: 0o10\nc: 1e3\n",
    "a: 2027-11-30\n", "a: " + "1" * 5000 + "\n", "a: 1\r\nb: 2\r\n", "\ufeffa: 1\n", "",
    "# only a comment\n", "a: [b, [c, {d: e}], {}]\nf: []\n", "- - a\n", "a:\n  - b\n  -\n",
])
def test_these_documents_read_as_the_strict_reader_reads_them(text):
    holds_to_the_strict_reader(text)


def test_the_scripts_the_tool_writes_and_shows_are_read_without_pyyaml():
    """The TUF examples and the rehearsal's scripts are in the subset (the quick
    reader's reason to be): each is read by it, as the strict reader reads it."""
    from ceremony.flavors.tuf.rehearsal_scripts import BOOTSTRAP, DELEGATE, RECOVER, ROTATE

    texts = [path.read_text() for path in sorted((TOP / "docs" / "examples").glob("*.yaml"))
             if not path.name.startswith("dct-")]
    texts += [BOOTSTRAP, DELEGATE, ROTATE, RECOVER]
    assert len(texts) > 8
    for text in texts:
        assert holds_to_the_strict_reader(text), text


def test_load_written_yaml_refuses_in_the_strict_readers_words():
    with pytest.raises(ScriptError) as refused:
        load_written_yaml("policy:\n  renewal-margin: 30d\npolicy: {}\n", "ceremony.yaml")
    assert str(refused.value).startswith("ceremony.yaml:3: policy: defined twice, on lines 1 and 3")


def test_a_script_to_run_is_read_by_the_strict_reader_alone(monkeypatch):
    """The quick reader reads only a bundle's own script, to show or to start the
    next from: a script to run, check or sign is read by one reader, over PyYAML."""
    from ceremony.script import yaml_plain_read
    from ceremony.script.load import load_script

    def quick(text: str) -> object:
        raise AssertionError("the quick reader was asked")

    monkeypatch.setattr(yaml_plain_read, "read_plain", quick)
    script = TOP / "docs" / "examples" / "bootstrap.yaml"
    assert load_script(script).kind == "bootstrap"
    with pytest.raises(AssertionError, match="the quick reader was asked"):
        load_written_yaml(script.read_text(), "ceremony.yaml")
