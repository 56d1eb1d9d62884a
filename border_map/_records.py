"""Records made and sent by the thousand: frozen, slotted dataclasses, made and pickled
through their slots.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class stores each
field through ``object.__setattr__``, and its pickling restores each object by calling
:func:`dataclasses.fields` and ``object.__setattr__`` once a field: twice to four times
the time of storing through the slots' own descriptors, which is what these do.
"""

from __future__ import annotations

import operator
from dataclasses import fields

__all__ = ["compact_pickle", "positional_maker"]


def _setters(cls: type) -> tuple:
    if "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: a slotted dataclass only")
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


def positional_maker(cls: type):
    """A function making an instance of the frozen, slotted dataclass ``cls`` from every
    field, in order: what ``cls(...)`` does (``__post_init__`` included), but storing
    through the slots themselves. For the records the extraction makes by the thousand."""
    if not all(f.init for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ field")
    names = [f.name for f in fields(cls)]
    namespace = {"new": object.__new__, "cls": cls}
    namespace.update({f"set_{name}": setter for name, setter in zip(names, _setters(cls),
                                                                    strict=True)})
    body = [f"    set_{name}(self, {name})" for name in names]
    if getattr(cls, "__post_init__", None) is not None:
        namespace["check"] = cls.__post_init__
        body.append("    check(self)")
    exec(f"def make({', '.join(names)}):\n    self = new(cls)\n" + "\n".join(body)  # noqa: S102
         + "\n    return self\n", namespace)
    make = namespace["make"]
    make.__name__ = make.__qualname__ = f"make_{cls.__name__}"
    return make


def _restore(cls: type, values: tuple):
    """An instance of ``cls`` pickled by :func:`compact_pickle` (already validated when it
    was made: ``__post_init__`` is not run again, as plain pickling does not run it)."""
    self = object.__new__(cls)
    for setter, value in zip(cls.__record_setters__, values):  # noqa: B905 - same length
        setter(self, value)
    return self


def compact_pickle(cls: type) -> type:
    """Class decorator: pickle the frozen, slotted dataclass ``cls`` as its class and the
    tuple of its field values (restored through the slots)."""
    cls.__record_setters__ = _setters(cls)
    names = [f.name for f in fields(cls)]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self):
            return _restore, (type(self), (get(self),))
    else:
        def __reduce__(self):
            return _restore, (type(self), get(self))
    cls.__reduce__ = __reduce__
    return cls
