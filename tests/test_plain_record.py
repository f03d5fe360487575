"""A plain record behaves as the dataclass it replaced: built by position or
name with its defaults (a mutable default new for each), equal, hashed and written
alike, read-only."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from ceremony.plain_record import PlainRecord


@dataclass(frozen=True)
class AsDataclass:
    role: str
    version: int
    margin: timedelta = timedelta(days=30)
    rotation: dict[str, int] = field(default_factory=dict)


class AsFrozen(PlainRecord):
    role: str
    version: int
    margin: timedelta = timedelta(days=30)
    rotation: dict[str, int] = {}


@pytest.mark.parametrize(("args", "kwargs"), [
    (("root", 2), {}), (("root",), {"version": 3}), ((), {"role": "x", "version": 1}),
    (("root", 2, timedelta(hours=1)), {"rotation": {"a": 1}}),
])
def test_a_frozen_record_is_built_equal_hashed_and_written_as_its_dataclass(args, kwargs):
    made, expected = AsFrozen(*args, **kwargs), AsDataclass(*args, **kwargs)
    assert repr(made) == repr(expected).replace("AsDataclass", "AsFrozen")
    assert made == AsFrozen(*args, **kwargs)
    assert made != AsDataclass(*args, **kwargs)  # another class, as for dataclasses
    with pytest.raises(TypeError):  # a dict field: unhashable, as the dataclass is
        hash(made)


class Hashable(PlainRecord):
    role: str
    version: int = 1


def test_a_frozen_record_of_hashable_fields_is_hashed_by_them():
    assert hash(Hashable("root")) == hash(Hashable("root", 1)) != hash(Hashable("root", 2))
    assert len({Hashable("a"), Hashable("a"), Hashable("b")}) == 2


def test_its_mutable_defaults_are_its_own_and_it_is_read_only():
    first, second = AsFrozen("a", 1), AsFrozen("b", 2)
    assert first.rotation == {} and first.rotation is not second.rotation
    with pytest.raises(AttributeError):
        first.role = "c"
    with pytest.raises(AttributeError):
        del first.role


@pytest.mark.parametrize(("args", "kwargs"), [
    ((), {}), (("a",), {}), (("a", 1, timedelta(), {}, "extra"), {}),
    (("a", 1), {"role": "b"}), (("a", 1), {"colour": "red"}),
])
def test_a_wrong_call_is_a_type_error_as_for_its_dataclass(args, kwargs):
    with pytest.raises(TypeError):
        AsDataclass(*args, **kwargs)
    with pytest.raises(TypeError):
        AsFrozen(*args, **kwargs)


@dataclass(frozen=True)
class WithBookkeeping:
    value: str
    seen: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


class FrozenWithBookkeeping(PlainRecord):
    not_compared = not_shown = ("seen",)

    value: str
    seen: dict[str, int] = {}


def test_fields_not_compared_are_left_out_of_equality_and_repr_as_compare_false():
    made = FrozenWithBookkeeping("a", {"x": 1})
    assert made == FrozenWithBookkeeping("a") and made.seen == {"x": 1}
    assert repr(made) == repr(WithBookkeeping("a", {"x": 1})).replace(
        "WithBookkeeping", "FrozenWithBookkeeping")
    assert hash(made) == hash(FrozenWithBookkeeping("a", {"y": 2}))



@dataclass
class MutableDataclass:
    name: str
    roles: set[str] = field(default_factory=set)
    signer: object = field(default=None, repr=False)


class MutableRecord(PlainRecord, frozen=False):
    not_shown = ("signer",)

    name: str
    roles: set[str] = set()
    signer: object = None


class MutableSubrecord(MutableRecord, frozen=False):
    expired: list[str] = []


def test_a_record_not_frozen_is_set_and_unhashable_as_its_dataclass():
    made, expected = MutableRecord("a"), MutableDataclass("a")
    made.roles.add("root")
    expected.roles.add("root")
    made.signer = expected.signer = "open"
    assert repr(made) == repr(expected).replace("MutableDataclass", "MutableRecord")
    assert MutableRecord("a").roles == set()  # its own set
    assert made != MutableRecord("a", {"root"}, None)  # signer is compared
    with pytest.raises(TypeError):
        hash(made)
    sub = MutableSubrecord("b", expired=["root"])
    assert repr(sub) == "MutableSubrecord(name='b', roles=set(), expired=['root'])"
    sub.expired = []
    assert sub == MutableSubrecord("b")


def test_replace_makes_a_new_record_as_dataclasses_replace_does():
    made = AsFrozen("root", 2, rotation={"a": 1})
    changed = made.replace(version=3)
    assert changed == AsFrozen("root", 3, rotation={"a": 1}) and made.version == 2
    assert repr(changed) == repr(dataclasses.replace(AsDataclass("root", 2, rotation={"a": 1}),
                                                     version=3)).replace("AsDataclass", "AsFrozen")
    with pytest.raises(TypeError):
        made.replace(colour="red")
