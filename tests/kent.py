"""Kent's area codes for the tests, read from Kent's partnership folder (the code holds none)."""

from kcsp.reference import register

_KENT = register()
KENT = _KENT.county_code
KENT_MEDWAY = _KENT.force_code
MEDWAY = next(c for c in _KENT.local_codes() if _KENT.frame.set_index("area_code").at[c, "area_type"] == "unitary")
