"""Defaults shared by the library and the command line, in a module that imports nothing
(so ``border-map --help`` stays fast)."""

#: Distance bands around the line, in km (``--bands``).
DEFAULT_BANDS_KM: tuple[float, ...] = (5.0, 10.0, 25.0, 50.0)
