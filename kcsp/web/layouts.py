"""Page layouts kept per store version, so a view already built is served without rebuilding it.

A page layout depends only on the dataset (one per store version and day), the page's path and
query parameters, and who is looking (restricted actions are shown only to signed-in users). Those
make the key; an update or import makes a new dataset, and with it an empty cache. The bound is
shared by all pages: a layout holds up to about 1 MB of Python objects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from kcsp import runtime
from kcsp.memo import per_dataset
from kcsp.web.auth import request_user

LAYOUTS_KEPT = 48


@per_dataset(maxsize=LAYOUTS_KEPT)
def _build(dataset, layout: Callable, params: tuple, viewer: tuple | None):
    return layout(**{name: list(value) if isinstance(value, tuple) else value for name, value in params})


def _hashable(value):
    """A query parameter given more than once (a list) is kept as a tuple, anything else as text."""
    return tuple(str(v) for v in value) if isinstance(value, list) else str(value)


def cached_layout(layout: Callable) -> Callable:
    """Wrap a page's layout(**params) so each distinct view is built once per dataset and viewer."""
    @functools.wraps(layout)
    def cached(**params):
        user = request_user()
        viewer = None if user is None else (user.name, user.role, user.priorities)
        key = tuple(sorted((name, _hashable(value)) for name, value in params.items() if value is not None))
        return _build(runtime.dataset(), layout, key, viewer)

    return cached
