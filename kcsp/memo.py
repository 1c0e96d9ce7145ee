"""Results computed from a Dataset, kept for as long as that Dataset lives.

A Dataset is rebuilt only when the store changes, so anything derived from it (narratives, what
changed between meetings) can be computed once per store version and then looked up: page
layouts and callbacks stay fast. Cached results are shared: callers must not modify them.
"""

from __future__ import annotations

import functools
import threading
import weakref

_lock = threading.Lock()
MAX_PER_DATASET = 1024
"""Results kept per function and dataset; past this the oldest half is dropped (views vary by filter)."""


def per_dataset(func):
    """Cache func(dataset, *args, **kwargs) per dataset object; the other arguments must be hashable."""
    results: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(func)
    def wrapper(dataset, *args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        with _lock:
            found = results.get(dataset, {})
            if key in found:
                return found[key]
        value = func(dataset, *args, **kwargs)
        with _lock:
            kept = results.setdefault(dataset, {})
            if len(kept) >= MAX_PER_DATASET:
                for old in list(kept)[: MAX_PER_DATASET // 2]:
                    del kept[old]
            kept[key] = value
        return value

    return wrapper
