"""The request's own conditions travel in its evidence packages."""

from __future__ import annotations

import dataclasses
from datetime import date

from hanoi.cooperation import Condition, Side
from hanoi.cooperation.package_conditions import package_conditions
from unit.cooperation.builders import draft


def test_conditions_set_on_the_request_are_added_to_the_convention_s_wording() -> None:
    request = dataclasses.replace(
        draft("mla-stored-data"),
        conditions=(
            Condition(
                key="use-limitation", terms="only for case 17/2026", imposed_by=Side.REQUESTING
            ),
            Condition(
                key="personal-data-protection",
                terms="minimise",
                imposed_by=Side.REQUESTING,
                retain_until=date(2027, 6, 30),
            ),
        ),
    )
    conditions = package_conditions(request, sending_state="VNM")
    assert conditions.use_limitation.endswith("Set by the requesting State: only for case 17/2026")
    assert "Art. 40(19)" in conditions.use_limitation
    assert "Delete after 2027-06-30." in conditions.retention
    assert "Set by" not in conditions.confidentiality


def test_without_conditions_the_package_carries_the_convention_s_wording() -> None:
    request = draft("mla-stored-data")
    conditions = package_conditions(request, sending_state="VNM")
    assert request.id in conditions.use_limitation
    assert "VNM" in conditions.use_limitation
