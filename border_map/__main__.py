"""``python -m border_map``."""

from .cli import main

main()
