"""components.following: the form for what a member follows and the mail they get."""

from __future__ import annotations

from components.following import following_form
from tests.component_tree import text


def test_a_lead_is_offered_round_mail_and_mail_off_is_said(dataset):
    lead = following_form(dataset.priorities, dataset.districts(), is_lead=True, mail_on=False)
    viewer = following_form(dataset.priorities, dataset.districts(), is_lead=False, mail_on=True)
    assert "Update rounds" in text(lead) and "Update rounds" not in text(viewer)
    assert "sends no email" in text(lead) and "sends no email" not in text(viewer)
    assert dataset.priorities["name"].iloc[0] in text(viewer)
