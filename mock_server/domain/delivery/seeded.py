"""Seeded, deterministic variation: the same seed, object and day always give the same number.

Keys are tuples of ints only (Python's hash of ints and tuples of ints does not depend on PYTHONHASHSEED),
mixed with a 64-bit multiplier so neighbouring ids and days are uncorrelated.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_GOLD = 0x9E3779B97F4A7C15
_SCALE = 1.0 / (1 << 64)


def uniform(*key: int) -> float:
    """A number in [0, 1) determined by `key`."""
    x = (hash(key) * _GOLD) & _MASK
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 32
    return x * _SCALE


def pair(*key: int) -> tuple[float, float]:
    """Two independent numbers in [0, 1) from one key (one hash for the two daily rates of an ad)."""
    return pair_of(key)


def pair_of(key: tuple[int, ...]) -> tuple[float, float]:
    """`pair` of a ready tuple (called for every ad-day, so without re-packing the key)."""
    x = (hash(key) * _GOLD) & _MASK
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 32
    y = (x * _GOLD) & _MASK
    y ^= y >> 31
    return x * _SCALE, y * _SCALE


def spread(amplitude: float, *key: int) -> float:
    """A multiplier in [1 - amplitude, 1 + amplitude)."""
    return 1.0 + amplitude * (2.0 * uniform(*key) - 1.0)


# kinds (first element of every key) so two uses of the same object and day differ
DAY_FACTOR, AD_WEIGHT, CPM, CTR, CONV, VIDEO, BREAKDOWN, AOV = range(1, 9)
