"""components.charts: figures as plotly dicts, coloured from the one palette."""

from __future__ import annotations

import pandas as pd

from components.charts import sparkline
from components.palette import DARK_BLUE


def test_a_sparkline_draws_the_series_and_hides_its_axes():
    series = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01"]), "value": [3.0, 5.0]})
    figure = sparkline(series, height=40)
    assert figure["data"][0]["y"] == [3.0, 5.0] and figure["data"][0]["line"]["color"] == DARK_BLUE
    assert figure["layout"]["height"] == 40 and figure["layout"]["xaxis"]["visible"] is False
