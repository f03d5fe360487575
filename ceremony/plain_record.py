"""Small records without the dataclasses module: :class:`PlainRecord`.

``@dataclass`` loads dataclasses (with inspect, ast, dis and tokenize: about a
third of what ``ceremony status`` cost above ``ceremony verify``) and compiles
each class's methods when the class is made. A record read on a command's
quick path subclasses :class:`PlainRecord` instead and is used exactly as that
dataclass was: the fields are its annotations (a subclass's after its base's),
in order, with the class's values as defaults (a dict, list or set default is
copied for each record, as a ``field(default_factory=...)``); it is built by
position or by name, and a ``__post_init__`` runs after the fields are set. It
is equal to a record of the same class with equal fields and written (``repr``)
as the dataclass was; the fields ``not_compared`` names are left out of
equality and hash (``compare=False``), those ``not_shown`` names out of repr
(``repr=False``). Read-only and hashed by its compared fields, as a frozen
dataclass, unless made with ``frozen=False`` (``class KeyRecord(PlainRecord,
frozen=False)``, and again on each subclass): then its fields can be set and
it has no hash, as a dataclass that is not frozen. :meth:`PlainRecord.replace`
is ``dataclasses.replace``. Type checkers read it as a dataclass
(``dataclass_transform``). It has no ``fields()`` or ``asdict()``: a record
that needs those stays a dataclass.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, dataclass_transform


@dataclass_transform(frozen_default=True, eq_default=True)
class PlainRecord:
    """A record whose fields are its annotations (see the module text)."""

    #: fields left out of equality and hash (a dataclass's ``compare=False``)
    not_compared: ClassVar[tuple[str, ...]] = ()
    #: fields left out of repr (a dataclass's ``repr=False``)
    not_shown: ClassVar[tuple[str, ...]] = ()
    __fields: ClassVar[tuple[str, ...]] = ()
    __compared: ClassVar[tuple[str, ...]] = ()
    __shown: ClassVar[tuple[str, ...]] = ()
    __defaults: ClassVar[dict[str, Any]] = {}
    __frozen: ClassVar[bool] = True

    def __init_subclass__(cls, *, frozen: bool = True) -> None:
        own = [name for name, kind in vars(cls).get("__annotations__", {}).items()
               if "ClassVar" not in str(kind)]
        cls.__fields = (*cls.__fields, *(name for name in own if name not in cls.__fields))
        cls.__compared = tuple(name for name in cls.__fields if name not in cls.not_compared)
        cls.__shown = tuple(name for name in cls.__fields if name not in cls.not_shown)
        cls.__defaults = {**cls.__defaults,
                          **{name: vars(cls)[name] for name in own if name in vars(cls)}}
        cls.__frozen = frozen
        if not frozen:
            cls.__hash__ = None  # type: ignore[assignment]  # as a dataclass's that is not frozen

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = type(self).__fields
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields, "
                            f"{len(args)} given")
        given = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names or name in given:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            given[name] = value
        defaults = type(self).__defaults
        for name in names:
            if name in given:
                value = given[name]
            elif name in defaults:
                value = defaults[name]
                if isinstance(value, (dict, list, set)):
                    value = value.copy()
            else:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
            object.__setattr__(self, name, value)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def replace(self, **changes: Any) -> Self:
        """A new record with ``changes`` (field: value) and the other fields as they are,
        as ``dataclasses.replace`` makes it (``__post_init__`` runs again)."""
        fields = {name: getattr(self, name) for name in type(self).__fields}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        return type(self)(**{**fields, **changes})

    def __setattr__(self, name: str, value: object) -> None:
        if type(self).__frozen:
            raise AttributeError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if type(self).__frozen:
            raise AttributeError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in type(self).__compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, PlainRecord)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__shown)
        return f"{type(self).__qualname__}({shown})"
