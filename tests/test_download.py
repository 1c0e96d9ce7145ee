"""/api/download.zip: every table a reader may see, as CSV, with a data dictionary; nothing withheld or
restricted for a reader who is not signed in, and the same values as the CSV routes."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from tests.support import basic

PUBLIC_TABLES = {"observations", "judgements", "actions", "action_updates", "areas", "population", "priorities",
                 "themes", "indicators", "series_breaks", "meetings", "comparators", "matters_arising",
                 "pack_texts", "data_dictionary"}


@pytest.fixture(scope="module")
def client():
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def unzip(body: bytes) -> dict[str, pd.DataFrame]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name.removesuffix(".csv"): pd.read_csv(archive.open(name), dtype=str, keep_default_na=False)
                for name in archive.namelist()}


def test_anonymous_readers_get_every_public_table_and_nothing_withheld(client, dataset):
    response = client.get("/api/download.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    tables = unzip(response.data)
    assert set(tables) == PUBLIC_TABLES
    assert "audit" not in tables and "mail_log" not in tables
    restricted = set(dataset.actions.loc[dataset.actions["classification"] == "restricted", "action_id"])
    assert restricted and not restricted & set(tables["actions"]["action_id"])
    assert not restricted & set(tables["action_updates"]["action_id"])
    obs = tables["observations"]
    withheld = obs[obs["withheld"] == "true"]
    assert len(withheld) and (withheld["value"] == "").all(), "a withheld value was sent"
    dictionary = tables["data_dictionary"]
    assert PUBLIC_TABLES - {"data_dictionary"} <= set(dictionary["table"])


def test_the_zip_holds_what_the_csv_routes_give(client):
    tables = unzip(client.get("/api/download.zip").data)
    part = client.get("/api/observations.csv?indicator=da-incidents&area=E07000114")
    expected = pd.read_csv(io.BytesIO(part.data), dtype=str, keep_default_na=False)
    obs = tables["observations"]
    mine = obs[(obs["indicator_id"] == "da-incidents") & (obs["area_code"] == "E07000114")].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, expected)


def test_signed_in_readers_get_restricted_actions_too(client, dataset):
    tables = unzip(client.get("/api/download.zip", headers=basic("viewer")).data)
    restricted = set(dataset.actions.loc[dataset.actions["classification"] == "restricted", "action_id"])
    assert restricted <= set(tables["actions"]["action_id"])
