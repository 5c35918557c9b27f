"""Every default figure the ROI model uses, with its source and year.

A default is only used where a submission leaves the field out, and every use is listed in the
output (`defaults_used`), never silent. Figures are those checked against their sources in the
project's domain primer (`shared/DOMAIN.md`); where no published figure exists the default is
marked as an assumption and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A documented default: its value, unit, where it comes from and the price year."""

    value: float
    unit: str
    source: str
    year: str

    def cite(self) -> str:
        return self.source if self.year == "n/a" else f"{self.source} ({self.year})"


# --- Unit costs of staff time -------------------------------------------------------------------

PSSRU_2024 = ("PSSRU Unit Costs of Health and Social Care 2024 (University of Kent), "
              "table 10.1.1, social worker (adult services)")

SOCIAL_WORKER_HOURLY = Figure(
    58.0, "GBP per working hour",
    PSSRU_2024 + ": cost per working hour INCLUDING qualification costs (the full economic cost of an hour; "
    "£48 excluding qualification costs; total £93,011 a year over 1,607 working hours)",
    "2023/24 prices")
"""The default hourly cost of a social worker's time. The 'excluding qualifications' rate (£48) is
not total/hours, so the 'including' rate is used as the economic cost of an hour released."""

SOCIAL_WORKER_HOURLY_EXCLUDING_QUALIFICATIONS = Figure(
    48.0, "GBP per working hour", PSSRU_2024 + ": cost per working hour excluding qualification costs",
    "2023/24 prices")

WORKING_WEEKS_PER_YEAR = Figure(
    43.42, "weeks a year", PSSRU_2024 + ": working weeks a year after leave, sickness and training "
    "(used for every role unless the submission gives its own)", "2023/24")

FTE_HOURS_PER_YEAR = Figure(
    1607.0, "hours a year", PSSRU_2024 + ": working hours a year of one full-time post (43.42 weeks x 37 h)",
    "2023/24")

UNIT_COSTS: dict[str, Figure] = {"social_worker": SOCIAL_WORKER_HOURLY}
"""Default hourly cost by role. Only roles with a checked published figure are here; any other
role must give `hourly_cost_gbp` (and should say where it comes from in `hourly_cost_source`)."""

_ROLE_ALIASES = {"social_workers": "social_worker", "social_worker_adult_services": "social_worker",
                 "sw": "social_worker"}


def normalise_role(role: str) -> str:
    """'Social Worker' -> 'social_worker'; known aliases map to their canonical role."""
    key = re.sub(r"[^a-z0-9]+", "_", role.strip().lower()).strip("_")
    return _ROLE_ALIASES.get(key, key)


def default_unit_cost(role: str) -> Figure | None:
    """The documented default hourly cost for `role`, or None when there is none."""
    return UNIT_COSTS.get(normalise_role(role))


GOVERNANCE_HOURLY = Figure(
    SOCIAL_WORKER_HOURLY.value, "GBP per hour",
    "assumption: governance and quality-assurance hours are valued at the social worker rate of "
    + PSSRU_2024 + " as a proxy for a qualified professional's time", "2023/24 prices")

# --- HM Treasury Green Book ---------------------------------------------------------------------

GREEN_BOOK_VERSION = ("HM Treasury Green Book (2022 edition): real discount rate 3.5% a year for years 0-30 "
                      "and 3.0% for years 31-75; optimism bias from its supplementary guidance")
GREEN_BOOK_RATE_0_30 = 0.035
GREEN_BOOK_RATE_31_75 = 0.030

ONE_OFF_COST_UPLIFT = Figure(
    0.10, "share added to one-off costs",
    "Green Book supplementary guidance on optimism bias, equipment/development projects: capital cost "
    "lower bound 10% (upper bound 200%, the starting value at the outset of a project whose risks are "
    "unmanaged). The lower bound is the default because a submission reports the costs of a tool already "
    "procured or piloted; set 2.0 for a business case written before procurement", "Green Book 2022")

RECURRING_COST_UPLIFT = Figure(
    0.0, "share added to recurring costs",
    "assumption: recurring costs are contracted prices, so no uplift by default (the Green Book publishes "
    "no figure for operating costs of equipment/development projects); set one where prices may rise",
    "Green Book 2022")

BENEFIT_SHORTFALL = Figure(
    0.0, "share taken off benefits",
    "assumption: no benefit shortfall by default; measured spread is carried by the Monte Carlo interval. "
    "Set one when time saved rests on self-report or vendor estimates", "Green Book 2022")

CASHABLE_SHARE = Figure(
    0.0, "share of the benefit that is cash-releasing",
    "Green Book: time released is a non-cash-releasing benefit unless posts, agency spend or overtime "
    "actually fall", "Green Book 2022")

# --- Uncertainty ---------------------------------------------------------------------------------

DEFAULT_CV = Figure(
    0.5, "standard deviation as a share of the value",
    "assumption (no published source): spread across staff of minutes per task and tasks per week when "
    "the submission gives no standard deviation; deliberately wide so that an unmeasured spread does "
    "not look precise", "n/a")

MONTE_CARLO_DRAWS = 10_000
MONTE_CARLO_SEED = 20250401

SENSITIVITY_STEP = 0.20
"""Sensitivity table: each input is moved 20% down and up from its submitted value."""

# --- Wellbeing ------------------------------------------------------------------------------------

SWEMWBS_MID = Figure(
    3.0, "SWEMWBS metric points",
    "Shah et al. 2018, Health Qual Life Outcomes 16:239: distribution-based minimal important difference "
    "of 1 to 3 points; the upper end is the default so that a change counts only when clearly above noise",
    "2018")

# --- Quality-adjusted view (assumptions, no published source) -------------------------------------

MINUTES_PER_HALLUCINATION_RATE = Figure(
    10.0, "extra minutes per task at a hallucination rate of 1",
    "assumption (no published source): finding and correcting an unsupported detail against the source "
    "takes about 10 minutes per affected output; the hallucination rate is 1 - pass rate of "
    "`unsupported_details` (the share of outputs with an unsupported detail)", "n/a")

MINUTES_PER_OMISSION_RATE = Figure(
    20.0, "extra minutes per task at an omission rate of 1",
    "assumption (no published source): restoring every key fact of an output from the source takes about "
    "20 minutes; the omission rate is 1 - mean `key_fact_recall` (the share of key facts missed)", "n/a")

RISK_COST_PER_FAILED_OUTPUT = Figure(
    0.0, "GBP per output with an unsupported detail",
    "assumption: expected cost of an error that reaches the record (correction, complaint, harm), per "
    "output with a hallucination; 0 by default (not counted) because no published figure exists", "n/a")
