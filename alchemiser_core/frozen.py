"""`FrozenMap`: an immutable, hashable, key-sorted mapping for values inside frozen attrs classes.

`frozen=True` protects nothing inside a dict, and `MappingProxyType` is not hashable,
so value objects store their mappings as a `FrozenMap`: read-only, hashable, and
iterated in sorted key order so that equal contents always iterate, print and
serialise the same way, whatever order the caller's dict was built in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, TypeVar, overload

__all__ = ["FrozenMap"]

_V = TypeVar("_V")
_T = TypeVar("_T")


class FrozenMap(Mapping[str, _V]):
    """Read-only mapping with sorted keys; equal to any mapping with the same items.

    >>> m = FrozenMap({"MSFT": 2, "AAPL": 1})
    >>> list(m), m == {"AAPL": 1, "MSFT": 2}, hash(m) == hash(FrozenMap({"AAPL": 1, "MSFT": 2}))
    (['AAPL', 'MSFT'], True, True)
    """

    __slots__ = ("_hash", "_items")

    _items: dict[str, _V]
    _hash: int | None

    def __init__(self, items: Mapping[str, _V] | None = None) -> None:
        source = items if items is not None else {}
        object.__setattr__(self, "_items", {key: source[key] for key in sorted(source)})
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: str) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        cached = self._hash
        if cached is None:
            cached = hash(tuple(self._items.items()))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    @overload
    def get(self, key: str, /) -> _V | None: ...
    @overload
    def get(self, key: str, /, default: _V | _T) -> _V | _T: ...
    def get(self, key: str, /, default: object = None) -> object:
        """Like `dict.get` (the inherited `Mapping.get` is several times slower)."""
        return self._items.get(key, default)

    def view(self) -> MappingProxyType[str, _V]:
        """A read-only view in key order, iterated at dict speed (for hot loops)."""
        return MappingProxyType(self._items)

    def to_dict(self) -> dict[str, _V]:
        """A fresh, mutable copy."""
        return dict(self._items)
