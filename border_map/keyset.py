"""A set of text keys in bounded memory: about 16 bytes a key (plus its payload), whatever
the number of keys, for the checks a streaming run makes over all its rows (duplicate ids
across chunks and files, a claim counted once per summary group).

Each key is kept as two independent 64-bit hashes (both must match: a false match is about
2^-128 likely), in sorted runs merged as they grow (a log-structured set): a batch's lookups
cost a binary search per run, adding costs O(log n) amortised. Python's string hash is
stable within a process, and a set lives in one process.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["KeySet"]

_INDEX_BITS = 40


class KeySet:
    """Keys with optional integer payload columns (e.g. where a key was first seen)."""

    def __init__(self, payload: int = 0):
        self._payload = payload
        # each run: [h1 sorted, h2, payload columns...], parallel arrays
        self._runs: list[list[np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(run[0]) for run in self._runs)

    @staticmethod
    def hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        n = len(keys)
        h1 = np.fromiter((hash(k) for k in keys), dtype=np.int64, count=n)
        h2 = np.fromiter((hash(k + "\x1f") for k in keys), dtype=np.int64, count=n)
        return h1, h2

    def _find(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """For each (h1, h2): its entry as run * 2^40 + index, or -1."""
        found = np.full(len(h1), -1, dtype=np.int64)
        for r, run in enumerate(self._runs):
            k1, k2 = run[0], run[1]
            left = np.searchsorted(k1, h1, "left")
            right = np.searchsorted(k1, h1, "right")
            for i in np.flatnonzero((right > left) & (found < 0)).tolist():
                for j in range(left[i], right[i]):  # equal h1: almost always one entry
                    if k2[j] == h2[i]:
                        found[i] = (r << _INDEX_BITS) + j
                        break
        return found

    def payload(self, entry: int) -> tuple[int, ...]:
        run = self._runs[entry >> _INDEX_BITS]
        j = entry & ((1 << _INDEX_BITS) - 1)
        return tuple(int(col[j]) for col in run[2:])

    def add(self, keys: Sequence[str], *payload: Sequence[int]) -> tuple[np.ndarray, list]:
        """Add a batch of keys. Returns ``(new, earlier)``: ``new[i]`` is True for the first
        occurrence of a key not in the set before; otherwise ``earlier[i]`` is the payload of
        its first occurrence (an earlier batch's, or this batch's first row with the key:
        ``("batch", row)``)."""
        h1, h2 = self.hashes(keys)
        found = self._find(h1, h2)
        earlier: list = [None] * len(keys)
        local: dict[tuple[int, int], int] = {}
        new = np.zeros(len(keys), dtype=bool)
        for i in range(len(keys)):
            if found[i] >= 0:
                earlier[i] = self.payload(int(found[i]))
                continue
            key = (int(h1[i]), int(h2[i]))
            first = local.get(key)
            if first is not None:
                earlier[i] = ("batch", first)
                continue
            local[key] = i
            new[i] = True
        if new.any():
            cols = [h1[new], h2[new]] + [np.asarray(p, dtype=np.int64)[new] for p in payload]
            order = np.argsort(cols[0], kind="stable")
            self._runs.append([c[order] for c in cols])
            self._merge()
        return new, earlier

    def _merge(self) -> None:
        runs = self._runs
        while len(runs) > 1 and len(runs[-2][0]) <= 2 * len(runs[-1][0]):
            b, a = runs.pop(), runs.pop()
            parts = [np.concatenate((x, y)) for x, y in zip(a, b, strict=True)]
            order = np.argsort(parts[0], kind="stable")
            runs.append([p[order] for p in parts])
