"""Area boundaries for the maps: read from a partnership folder's boundaries.geojson into the store's
boundaries table, and given back to the maps as GeoJSON (feature property `code` is the area code)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

BOUNDARIES_FILE = "boundaries.geojson"


def boundaries_table(folder: Path) -> pd.DataFrame:
    """The boundaries table of a partnership folder (empty when it ships no boundaries)."""
    path = Path(folder) / BOUNDARIES_FILE
    if not path.exists():
        return pd.DataFrame({"area_code": pd.Series(dtype="str"), "geometry": pd.Series(dtype="str")})
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return pd.DataFrame({"area_code": [str(f["properties"]["code"]) for f in features],
                         "geometry": [json.dumps(f["geometry"], separators=(",", ":")) for f in features]})


def feature_collection(table: pd.DataFrame) -> dict:
    """The boundaries table as a GeoJSON FeatureCollection."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": code}, "geometry": json.loads(geometry)}
                         for code, geometry in zip(table["area_code"], table["geometry"], strict=True)]}
