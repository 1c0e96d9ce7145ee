"""Results computed from a Dataset, kept for as long as that Dataset lives.

A Dataset is rebuilt only when the store changes, so anything derived from it (narratives, what
changed between meetings, whole page layouts) can be computed once per store version and then
looked up: page layouts and callbacks stay fast. Cached results are shared: callers must not
modify them. Every cache of the dashboard, and the rules for adding one, are in docs/cache-map.md.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict

_lock = threading.Lock()
MAX_PER_DATASET = 1024
"""Results kept per function and dataset by default; past this the least recently used go."""


def per_dataset(func=None, *, maxsize: int = MAX_PER_DATASET):
    """Cache func(dataset, *args, **kwargs) per dataset object; the other arguments must be hashable.

    Used bare (``@per_dataset``) or with a bound (``@per_dataset(maxsize=48)``) for large results.
    """
    if func is None:
        return functools.partial(per_dataset, maxsize=maxsize)
    results: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(func)
    def wrapper(dataset, *args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        with _lock:
            found = results.get(dataset)
            if found is not None and key in found:
                found.move_to_end(key)
                return found[key]
        value = func(dataset, *args, **kwargs)
        with _lock:
            kept = results.setdefault(dataset, OrderedDict())
            kept[key] = value
            while len(kept) > maxsize:
                kept.popitem(last=False)
        return value

    return wrapper
