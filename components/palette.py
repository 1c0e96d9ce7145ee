"""The one palette: the Government Analysis Function's colour-blind-safe categorical colours,
and the BRAG statuses drawn as word + shape + colour."""

from __future__ import annotations

from dataclasses import dataclass

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


BRAG: dict[str, StatusStyle] = {
    "blue": StatusStyle("Complete", "\u2714", "#12436D", "Blue: the action is complete"),
    "green": StatusStyle("Green", "\u25cf", "#0F7B70", "Green: on track"),
    "amber": StatusStyle("Amber", "\u25b2", "#A04600", "Amber: some risk to delivery"),
    "red": StatusStyle("Red", "\u25a0", "#A8102E", "Red: off track"),
    "not-started": StatusStyle("Not started", "\u25cb", "#505A5F", "Not started yet"),
}
BRAG_ORDER = ("red", "amber", "green", "blue", "not-started")

JUDGEMENT_COLOURS = {
    "Better": TURQUOISE,
    "Similar": MID_GREY,
    "Worse": DARK_PINK,
    "Higher": DARK_BLUE,
    "Lower": LIGHT_PURPLE,
    "Not compared": "#E1E1E1",
}

JUDGEMENT_SHAPES = {
    "Better": "triangle-down",
    "Similar": "circle",
    "Worse": "triangle-up",
    "Higher": "triangle-up",
    "Lower": "triangle-down",
}

SEQUENTIAL = [[0.0, "#E8F1F8"], [0.5, "#5694CA"], [1.0, "#12436D"]]
