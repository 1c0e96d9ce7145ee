"""The strategic assessment: the demonstration store reproduces the seed's Appendix A counts."""

from __future__ import annotations

import pandas as pd

from kcsp import assessment

APPENDIX_A_2017_18 = {
    "ASB/Environmental": 10, "Substance Misuse": 10, "Domestic Abuse": 9, "Serious and Organised Crime": 8,
    "Safeguarding": 7, "Victims / Vulnerable People": 7, "Reducing Reoffending": 7, "Mental Health": 6,
    "Road Safety": 5, "Community Confidence": 4,
}


def test_counts_reproduce_appendix_a(dataset):
    counts = assessment.issue_counts(dataset.tables["strategic_assessment"], "2017-18")
    assert dict(zip(counts["issue"], counts["csps"], strict=True)) == APPENDIX_A_2017_18
    assert list(counts["csps"]) == sorted(counts["csps"], reverse=True)


def test_matrix_rows_are_csps_and_cells_classifications(dataset):
    table = dataset.tables["strategic_assessment"]
    grid = assessment.matrix(table, "2017-18")
    assert grid.shape == (11, 10)
    assert set(v for v in grid.to_numpy().ravel() if v is not None) <= {"priority", "cross-cutting", "broader-theme"}
    assert grid.notna().sum().to_dict() == APPENDIX_A_2017_18


def test_matrix_keeps_csps_that_named_nothing():
    table = pd.DataFrame([{"year": "2017-18", "csp_name": "A CSP", "issue": "Road Safety",
                           "classification": "priority"}])
    grid = assessment.matrix(table, "2017-18", ["A CSP", "B CSP"])
    assert grid.loc["B CSP", "Road Safety"] is None
    assert grid.loc["A CSP", "Road Safety"] == "priority"


def test_morile_scores_only_where_recorded(dataset):
    table = dataset.tables["strategic_assessment"]
    scores = assessment.morile_scores(table, "2017-18")
    assert not scores.empty
    assert scores[list(assessment.SCORES)].notna().all().all()
    assert (scores["total"] == scores["threat"] + scores["risk"] + scores["harm"]).all()
    assert len(scores) < len(table)
