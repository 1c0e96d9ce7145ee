"""The one palette: the Government Analysis Function's colour-blind-safe categorical colours for
charts; statuses and verdicts come from the one vocabulary (kcsp.vocabulary), drawn as word +
shape + colour."""

from __future__ import annotations

from dataclasses import dataclass

from kcsp.vocabulary import COMPARISON, STATUS, STATUS_ORDER

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
MID_GREY = "#6F777B"
TEXT = "#0B0C0C"

CATEGORICAL = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)


@dataclass(frozen=True)
class StatusStyle:
    label: str
    shape: str
    colour: str
    meaning: str


BRAG: dict[str, StatusStyle] = {code: StatusStyle(t.word, t.shape, t.colour, t.meaning) for code, t in STATUS.items()}
BRAG_ORDER = STATUS_ORDER

PLOTLY_SYMBOLS = {
    COMPARISON["better"].shape: "star",
    COMPARISON["similar"].shape: "diamond-open",
    COMPARISON["worse"].shape: "x",
    COMPARISON["higher"].shape: "arrow-up",
    COMPARISON["lower"].shape: "arrow-down",
    COMPARISON["not-compared"].shape: "circle-open-dot",
}
"""Chart markers for the vocabulary's comparison shapes (plotly's nearest symbol to each)."""

SEQUENTIAL = [[0.0, "#E8F1F8"], [0.5, "#5694CA"], [1.0, "#12436D"]]
