"""A State's row on the directory page and the draft form, with a Hanoi node or without."""

from __future__ import annotations

from datetime import date

from hanoi.convention import Language
from hanoi.directory.model import CHANNELS, Authority, StateContact
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import CHANNEL_LABELS
from hanoi.web.ui.directory_pages import state_row

BRAZIL = StateContact(
    state="BRA",
    name="Central Authority of Brazil",
    on_network=False,
    authorities=(
        Authority(
            kind="central-authority",
            name="DRCI",
            languages=("pt", "en"),
            contact="By diplomatic note",
            postal_address="SCN Quadra 6\nBrasília",
            email="cooperacao@justice.example",
            telephone="+55 61 2025-8900",
        ),
        Authority(kind="point-of-contact", name="24/7", languages=("pt",), contact="+55"),
    ),
    channels=("diplomatic", "email"),
    declarations={},
    source="Note verbale 123/2026",
    updated=date(2026, 10, 2),
)


def test_every_channel_has_a_label_in_the_order_of_the_closed_set() -> None:
    assert tuple(CHANNEL_LABELS) == CHANNELS
    assert len(set(CHANNEL_LABELS.values())) == len(CHANNELS)


def test_the_row_of_a_state_without_a_node() -> None:
    row = state_row(LocaleFormat(Language.FR), BRAZIL)
    assert (row.code, row.name, row.on_network) == ("BRA", "Brésil", False)
    assert row.channels == (CHANNEL_LABELS["diplomatic"], CHANNEL_LABELS["email"])
    assert (row.node_url, row.keys, row.serial) == ("", (), 0)
    assert (row.source, row.updated_text) == ("Note verbale 123/2026", "2 oct. 2026")
    assert row.languages == ("portugais", "anglais")
    (central,) = row.central
    assert central.postal_address == "SCN Quadra 6\nBrasília"
    assert (central.email, central.telephone) == ("cooperacao@justice.example", "+55 61 2025-8900")
    assert [a.name for a in row.contact_points] == ["24/7"]
