"""District boundaries shipped in data/geo (ONS / OS OpenData, CC-BY 4.0 packaging)."""

from __future__ import annotations

import json
from functools import cache

from kcsp.settings import DATA_DIR

BOUNDARIES = DATA_DIR / "geo" / "kent_lad.geojson"


@cache
def boundaries() -> dict:
    """The 12 Kent districts and Medway as GeoJSON (feature property `code` is the ONS code)."""
    with open(BOUNDARIES, encoding="utf-8") as fh:
        return json.load(fh)
