"""Real open data beyond police.uk: converted once from the shared source files into small tables in data/ons/.

``python -m kcsp convert-open-data [--source DIR]`` (``make open-data``) reads the files exactly as
published (see ../shared/data/README.md) and writes, for the 12 Kent districts and Medway:

- ``population_mid_year.csv`` (area_code, year, population): ONS mid-year estimates 1997 to 2020,
  summed over single years of age (1997 to 2000 lack ages 85 and over: see convert_population);
  Kent County is the sum of the 12 districts (the source has no county row) and Kent and Medway
  adds Medway.
- ``drug_poisoning_deaths.csv`` (area_code, year, deaths): ONS deaths related to drug poisoning by
  year of registration, 1993 to 2020 (the source is Windows-1252, one column per year).
- ``deprivation.csv`` (area_code, area_name, imd_rank, imd_score, imd_bottom_decile, districts):
  the English Indices of Deprivation 2019 district summary: rank of average score (1 = most
  deprived of 317 districts), the average score and the share of LSOAs in England's most deprived 10%.
- ``drug_poisoning_deaths_national.csv`` (area_code, area_name, year, deaths, population,
  residents_only): the national comparators of the deaths, England and Wales (K04000001) and
  England (E92000001): the source's own national figure for each registration year, the residents
  of the country's local authorities (the sum of their mid-year estimates, made as for Kent's), and
  whether the national figure counts only those residents, as each local authority's figure does
  (it equals the sum of its authorities' figures: true for England; England and Wales also counts
  deaths of people who lived outside it, 12 to 49 a year). ``comparator_table`` makes the store's
  comparators of them: the count every year, and a rate per 100,000 residents only where the
  figure counts residents only (the same measure as a local rate; see kcsp.comparators).

The build reads only these converted files, so the product needs no access to the sources.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from kcsp.settings import DATA_DIR, PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT.parent / "shared" / "data"
OUT_DIR = DATA_DIR / "ons"
KENT = "E10000016"
KENT_MEDWAY = "E23000032"
MEDWAY = "E06000035"
POPULATION_FILE = "population_mid_year.csv"
DEATHS_FILE = "drug_poisoning_deaths.csv"
DEPRIVATION_FILE = "deprivation.csv"
NATIONAL_DEATHS_FILE = "drug_poisoning_deaths_national.csv"
IMD = "Index of Multiple Deprivation"
NATIONAL = {"K04000001": ("England and Wales", ("E", "W")), "E92000001": ("England", ("E",))}
"""National comparators in the deaths file: code -> (name, first letters of the codes of its local authorities)."""
LOCAL_AUTHORITY = ("E06", "E07", "E08", "E09", "W06")
"""Code prefixes of local authority districts in England and Wales (unitaries, districts, metropolitan
districts, London boroughs, Welsh principal areas): the level both source files hold for every area."""
DEATHS_SOURCE = "deaths/ons_drug_poisoning_deaths_registered_by_la_1993_2020.csv"
POPULATION_SOURCE = "population/ons_mid_year_estimates_by_la_single_age_1997_2020.csv"


def _local_codes() -> list[str]:
    from kcsp.reference import read_reference

    areas = read_reference("areas")
    return list(areas.loc[areas["area_type"].isin(["district", "unitary"]), "area_code"])


def _with_totals(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Add Kent County (the 12 districts) and Kent and Medway (and Medway) rows per year."""
    districts = frame[frame["area_code"] != MEDWAY]
    kent = districts.groupby("year", as_index=False)[value].sum().assign(area_code=KENT)
    both = frame.groupby("year", as_index=False)[value].sum().assign(area_code=KENT_MEDWAY)
    return pd.concat([frame, kent, both], ignore_index=True)[["area_code", "year", value]]


def convert_population(source: Path, codes: list[str]) -> pd.DataFrame:
    frame = _mid_year_estimates(source, codes)
    _check_complete(frame, codes, "population")
    return _with_totals(frame, "population").sort_values(["area_code", "year"]).reset_index(drop=True)


def _mid_year_estimates(source: Path, codes: list[str]) -> pd.DataFrame:
    """Residents of each area and year (area_code, year, population), summed over single years of age."""
    # Read as text: Northern Ireland's early years are "-" (not estimated), which we do not use.
    raw = pd.read_csv(source / POPULATION_SOURCE, dtype="str")
    raw = raw[raw["code"].isin(codes)]
    ages = [c for c in raw.columns if c.startswith("Age")]
    counts = raw[ages].replace("-", None).apply(pd.to_numeric, errors="raise")
    frame = pd.DataFrame({"area_code": raw["code"].to_numpy(), "year": raw["year"].astype(int).to_numpy(),
                          "under_85": counts[ages[:85]].sum(axis=1).to_numpy(),
                          "population": counts.sum(axis=1, min_count=len(ages)).to_numpy()})
    # Before 2001 the source has no estimates above age 84 ("-"): those years are scaled up by each
    # area's 2001 ratio of all ages to ages 0-84 (the 85+ were about 2% of residents).
    first_full = frame.dropna(subset=["population"]).sort_values("year").groupby("area_code").first()
    ratio = frame["area_code"].map(first_full["population"] / first_full["under_85"])
    frame["population"] = frame["population"].fillna(frame["under_85"] * ratio).round().astype(int)
    return frame.drop(columns="under_85")


def _read_deaths(source: Path) -> pd.DataFrame:
    return pd.read_csv(source / DEATHS_SOURCE, encoding="cp1252", dtype={"code": "str"})


def convert_deaths(source: Path, codes: list[str]) -> pd.DataFrame:
    raw = _read_deaths(source)
    raw = raw[raw["code"].isin(codes)]
    years = [c for c in raw.columns if c.isdigit()]
    frame = raw.melt(id_vars=["code"], value_vars=years, var_name="year", value_name="deaths")
    frame = frame.rename(columns={"code": "area_code"}).astype({"year": int, "deaths": int})
    _check_complete(frame, codes, "deaths")
    return frame.sort_values(["area_code", "year"]).reset_index(drop=True)[["area_code", "year", "deaths"]]


def convert_national_deaths(source: Path) -> pd.DataFrame:
    """England and Wales, and England: the source's national figure per registration year, the residents
    of the country's local authorities (their mid-year estimates summed; blank before the first
    estimate) and whether the national figure counts only those residents (it equals the sum of the
    authorities' figures that year)."""
    raw = _read_deaths(source)
    years = [c for c in raw.columns if c.isdigit()]
    local = raw[raw["code"].str[:3].isin(LOCAL_AUTHORITY)]
    estimates = _mid_year_estimates(source, list(local["code"]))
    missing = sorted(set(local["code"]) - set(estimates["area_code"]))
    if missing:
        raise ValueError(f"population: no estimates for {', '.join(missing)}, whose deaths the national figures hold")
    frames = []
    for code, (name, countries) in NATIONAL.items():
        row = raw[raw["code"] == code]
        if len(row) != 1:
            raise ValueError(f"deaths: {len(row)} rows for {code} ({name}) in the source, not 1")
        members = local[local["code"].str[0].isin(countries)]
        deaths = row[years].iloc[0].astype(int)
        residents = members[years].sum().astype(int)
        population = (estimates[estimates["area_code"].str[0].isin(countries)]
                      .groupby("year")["population"].sum())
        frames.append(pd.DataFrame({
            "area_code": code, "area_name": name, "year": [int(y) for y in years],
            "deaths": deaths.to_numpy(), "population": [population.get(int(y)) for y in years],
            "residents_only": (deaths == residents).map({True: "true", False: "false"}).to_numpy(),
        }))
    frame = pd.concat(frames, ignore_index=True).astype({"population": "Int64"})
    return frame.sort_values(["area_code", "year"]).reset_index(drop=True)


def convert_deprivation(source: Path, codes: list[str]) -> pd.DataFrame:
    raw = pd.read_csv(source / "deprivation" / "iod2019_lad.csv")
    districts = raw["lad19cd"].nunique()
    imd = raw[(raw["index_domain"] == IMD) & raw["lad19cd"].isin(codes)]
    frame = pd.DataFrame({
        "area_code": imd["lad19cd"], "area_name": imd["lad19nm"],
        "imd_rank": imd["rank_average_score"].astype(int), "imd_score": imd["average_score"].round(3),
        "imd_bottom_decile": imd["proportion_bottom_decile"].round(4), "districts": districts,
    })
    _check_complete(frame, codes, "deprivation")
    return frame.sort_values("area_code").reset_index(drop=True)


def _check_complete(frame: pd.DataFrame, codes: list[str], what: str) -> None:
    missing = sorted(set(codes) - set(frame["area_code"]))
    if missing:
        raise ValueError(f"{what}: no rows for {', '.join(missing)} in the source")


def convert(source: Path = SOURCE_DIR, out: Path = OUT_DIR) -> dict[str, int]:
    """Convert every source into out/; returns rows written per file."""
    codes = _local_codes()
    frames = {POPULATION_FILE: convert_population(source, codes), DEATHS_FILE: convert_deaths(source, codes),
              DEPRIVATION_FILE: convert_deprivation(source, codes),
              NATIONAL_DEATHS_FILE: convert_national_deaths(source)}
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(out / name, index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in frames.items()}


def read(name: str) -> pd.DataFrame:
    """One converted table from data/ons/."""
    return pd.read_csv(OUT_DIR / name, dtype={"area_code": "str"})


DRUG_POISONING_ID = "ons-drug-poisoning-deaths"


def drug_poisoning_observations() -> pd.DataFrame:
    """The indicator ons-drug-poisoning-deaths as store observations: one value per area and registration year."""
    deaths = read(DEATHS_FILE)
    return pd.DataFrame({
        "indicator_id": DRUG_POISONING_ID, "area_code": deaths["area_code"],
        "period": pd.to_datetime(deaths["year"].astype(str) + "-01-01"), "value": deaths["deaths"].astype("int64"),
    })


COMPARATOR_COLUMNS = ["indicator_id", "area_code", "area_name", "period", "value", "measure", "unit", "source"]
DEATHS_NAME = "ONS deaths related to drug poisoning by local authority, by year of registration"
RATE_SOURCE = "ONS deaths related to drug poisoning and mid-year population estimates"


def comparator_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """The store's comparators table: the national figures of ons-drug-poisoning-deaths (none when the
    store has no such indicator), from drug_poisoning_deaths_national.csv.

    Per area and registration year: `count`, the source's figure; `population`, its local authorities'
    residents; `rate-per-100000`, count / population x 100,000, only where the figure counts those
    residents only (residents_only), the definition of the local figures it is set beside."""
    if DRUG_POISONING_ID not in set(indicators["indicator_id"]):
        return pd.DataFrame(columns=COMPARATOR_COLUMNS)
    national = pd.read_csv(OUT_DIR / NATIONAL_DEATHS_FILE, dtype={"area_code": "str", "residents_only": "str"})
    national["period"] = pd.to_datetime(national["year"].astype(str) + "-01-01")
    base = national[["area_code", "area_name", "period"]].assign(indicator_id=DRUG_POISONING_ID)
    residents = national["residents_only"] == "true"
    unit = ("deaths, including those of people who lived outside " + national["area_name"]).where(~residents, "deaths")
    counts = base.assign(value=national["deaths"].astype("float64"), measure="count", unit=unit, source=DEATHS_NAME)
    held = national["population"].notna()
    population = base[held].assign(value=national.loc[held, "population"].astype("float64"), measure="population",
                                   unit="residents (mid-year estimate)",
                                   source="ONS mid-year population estimates, summed over local authorities")
    same = held & residents
    rates = base[same].assign(value=national.loc[same, "deaths"] / national.loc[same, "population"] * 100_000,
                              measure="rate-per-100000", unit="deaths per 100,000 residents", source=RATE_SOURCE)
    out = pd.concat([counts, population, rates], ignore_index=True)[COMPARATOR_COLUMNS]
    return out.sort_values(["indicator_id", "area_code", "period", "measure"]).reset_index(drop=True)


@cache
def deprivation() -> pd.DataFrame:
    """IMD 2019 per district and Medway (read once per process): area_code, imd_rank (1 = most deprived), ..."""
    return read(DEPRIVATION_FILE)


def deprivation_sentence(area_code: str) -> str | None:
    """'Thanet ranks 30th most deprived of England's 317 districts ...', or None when not held."""
    frame = deprivation()
    row = frame[frame["area_code"] == area_code]
    if row.empty:
        return None
    r = row.iloc[0]
    rank = int(r["imd_rank"])
    kent = frame[frame["area_code"] != "E06000035"].sort_values("imd_rank")
    place = list(kent["area_code"]).index(area_code) + 1 if area_code in set(kent["area_code"]) else None
    among = f"; {_ordinal(place)} most deprived of Kent's 12 districts" if place else ""
    return (f"{r['area_name']} ranks {_ordinal(rank)} most deprived of England's {int(r['districts'])} local authority "
            f"districts on the Index of Multiple Deprivation 2019 (average score {float(r['imd_score']):.1f}){among}. "
            f"{float(r['imd_bottom_decile']) * 100:.0f}% of its neighbourhoods (LSOAs) are among England's most "
            "deprived 10%.")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
