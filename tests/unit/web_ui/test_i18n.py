"""Language negotiation, locale formatting, safe redirects and the session secret."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.convention import Language
from hanoi.i18n.formatting import LocaleFormat
from hanoi.web.ui.auth import safe_next
from hanoi.web.ui.languages import accepted_languages, negotiate
from hanoi.web.ui.sessions import is_loopback_http, session_secret


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.EN),
        ("", Language.EN),
        ("ar-EG,ar;q=0.9,en;q=0.5", Language.AR),
        ("de-CH, de;q=0.9, fr;q=0.8, en;q=0.7", Language.FR),
        ("zh-CN", Language.ZH),
        ("es-419,es;q=0.9", Language.ES),
        ("en;q=0.2, ru;q=0.9", Language.RU),
        ("ru;q=0, fr", Language.FR),
        ("de, ja", Language.EN),
        ("*", Language.EN),
        ("fr;q=nonsense, es", Language.ES),
    ],
)
def test_negotiation(header: str | None, expected: Language) -> None:
    assert negotiate(header) is expected


def test_accept_language_order_and_limits() -> None:
    assert accepted_languages("a;q=0.1, b, c;q=0.5") == ["b", "c", "a"]
    assert len(accepted_languages(",".join(["xx"] * 1000))) == 32


@pytest.mark.parametrize(
    ("language", "long", "medium"),
    [
        (Language.EN, "October 25, 2025", "Oct 25, 2025"),
        (Language.FR, "25 octobre 2025", "25 oct. 2025"),
        (Language.ES, "25 de octubre de 2025", "25 oct 2025"),
        (Language.RU, "25 октября 2025\u202f\u0433.", "25 окт. 2025\u202f\u0433."),
        (Language.ZH, "2025年10月25日", "2025年10月25日"),
        (Language.AR, "25 أكتوبر 2025", "25\u200f/10\u200f/2025"),
    ],
)
def test_dates_follow_the_locale(language: Language, long: str, medium: str) -> None:
    fmt = LocaleFormat(language)
    assert fmt.date(date(2025, 10, 25)) == long
    assert fmt.date(date(2025, 10, 25), "medium") == medium


def test_numbers_states_labels_and_direction() -> None:
    assert LocaleFormat(Language.FR).number(1234567) == "1\u202f234\u202f567"
    assert LocaleFormat(Language.EN).number(1234567) == "1,234,567"
    assert LocaleFormat(Language.AR).territory("EGY") == "مصر"
    assert LocaleFormat(Language.ZH).territory("EGY") == "埃及"
    assert LocaleFormat(Language.FR).territory("EU") == "Union européenne"
    assert LocaleFormat(Language.EN).territory("XQZ") == "XQZ"
    assert LocaleFormat(Language.ES).label("instrument.accession") == "Adhesión"
    assert LocaleFormat(Language.AR).direction == "rtl"
    assert LocaleFormat(Language.ZH).direction == "ltr"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/ui/treaty?as_of=2026-01-01", "/ui/treaty?as_of=2026-01-01"),
        ("/ui/", "/ui/"),
        ("https://evil.example/ui/", "/ui/"),
        ("//evil.example/ui/", "/ui/"),
        ("/ui\\..\\", "/ui/"),
        ("/ui/\r\nSet-Cookie: x", "/ui/"),
        ("/api/v1/node", "/ui/"),
        (None, "/ui/"),
    ],
)
def test_only_pages_of_the_ui_are_followed_after_login(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_session_secret_is_derived_and_stable() -> None:
    key = Ed25519PrivateKey.generate()
    assert session_secret(key) == session_secret(key)
    assert len(bytes.fromhex(session_secret(key))) == 32
    assert session_secret(key) != session_secret(Ed25519PrivateKey.generate())
    assert key.private_bytes_raw().hex() not in session_secret(key)


@pytest.mark.parametrize(
    ("scheme", "host", "loopback"),
    [
        ("http", "127.0.0.1", True),
        ("http", "127.8.0.1", True),
        ("http", "::1", True),
        ("http", "localhost", True),
        ("https", "127.0.0.1", False),
        ("http", "192.0.2.10", False),
        ("http", "node.example", False),
    ],
)
def test_secure_cookies_everywhere_but_plain_http_loopback(
    scheme: str, host: str, loopback: bool
) -> None:
    assert is_loopback_http({"type": "http", "scheme": scheme, "server": (host, 80)}) is loopback


@pytest.mark.parametrize(
    ("language", "one", "several", "lettered"),
    [
        (Language.EN, "Art. 42(8)", "Art. 40(24); Art. 40(21)(b)", "Art. 2(h)"),
        (Language.AR, "المادة 42(8)", "المادة 40(24)\u061b المادة 40(21)(ب)", "المادة 2(ح)"),
        (Language.ZH, "第42条(8)", "第40条(24)\uff1b第40条(21)(b)", "第2条(h)"),
        (Language.FR, "art. 42(8)", "art. 40(24); art. 40(21)(b)", "art. 2(h)"),
        (Language.RU, "ст. 42(8)", "ст. 40(24); ст. 40(21)(b)", "ст. 2(h)"),
        (Language.ES, "art. 42(8)", "art. 40(24); art. 40(21)(b)", "art. 2(h)"),
    ],
)
def test_stored_citations_in_each_language(
    language: Language, one: str, several: str, lettered: str
) -> None:
    fmt = LocaleFormat(language)
    assert fmt.citation("Art. 42(8)") == one
    assert fmt.citation("Art. 40(24); Art. 40(21)(b)") == several
    assert fmt.citation("Art. 2(h)") == lettered
    assert fmt.citation("Art. 41") == one.replace("42", "41").replace("(8)", "")
    # What it cannot read is shown as stored, part by part; nothing is nothing.
    assert fmt.citation("Arts 64-65") == "Arts 64-65"
    assert fmt.citation("Art. 40(21)-(22)") == "Art. 40(21)-(22)"
    assert fmt.citation("Art. 99(1)") == "Art. 99(1)"
    assert fmt.citation("") == ""
    assert fmt.citation(None) == ""


def test_the_same_citation_as_the_catalogue_gives() -> None:
    from hanoi.convention import default_catalogue
    from hanoi.cooperation.kinds import CONSULTATION_SOURCE

    catalogue = default_catalogue()
    for language in Language:
        stored = CONSULTATION_SOURCE.citation()
        assert LocaleFormat(language).citation(stored) == catalogue.cite(
            CONSULTATION_SOURCE, language
        )


def test_language_names_and_lists() -> None:
    assert LocaleFormat(Language.EN).language_name("vi") == "Vietnamese"
    assert LocaleFormat(Language.AR).language_name("ar") == "العربية"
    assert LocaleFormat(Language.FR).language_name("zh-Hans") == "chinois (simplifié)"
    assert LocaleFormat(Language.EN).language_name("not a tag") == "not a tag"
    assert LocaleFormat(Language.EN).join(["Arabic", "English"]) == "Arabic and English"
    assert LocaleFormat(Language.AR).join(["أ", "ب"]) == "أ وب"
    assert LocaleFormat(Language.EN).join([]) == ""


@pytest.mark.parametrize(
    ("language", "one", "two", "many"),
    [
        (Language.EN, "1 byte", "2 bytes", "101 bytes"),
        (Language.FR, "1\xa0octet", "2\xa0octets", "101\xa0octets"),
        (Language.ES, "1 byte", "2 bytes", "101 bytes"),
        (Language.RU, "1 байт", "2 байта", "101 байт"),
        (Language.AR, "1 بايت", "2 بايت", "101 بايت"),
        (Language.ZH, "1字节", "2字节", "101字节"),
    ],
)
def test_small_sizes_agree_with_their_count(
    language: Language, one: str, two: str, many: str
) -> None:
    """CLDR's short unit for bytes is invariable ("101 byte"): sizes below 1 kB take words."""
    fmt = LocaleFormat(language)
    assert (fmt.bytes(1), fmt.bytes(2), fmt.bytes(101)) == (one, two, many)


def test_larger_sizes_keep_their_unit_symbols() -> None:
    assert LocaleFormat(Language.EN).bytes(3_100_000) == "3.1 MB"
    assert LocaleFormat(Language.EN).bytes(1000) == "1 kB"
    assert LocaleFormat(Language.FR).bytes(3_100_000) == "3,1\u202fMo"


def test_states_carry_the_un_official_short_names() -> None:
    english, arabic = LocaleFormat(Language.EN), LocaleFormat(Language.AR)
    assert english.territory("VNM") == "Viet Nam"
    assert arabic.territory("VNM") == "فييت نام"
    assert english.territory("RUS") == "Russian Federation"
    assert english.territory("PRK") == "Democratic People's Republic of Korea"
    assert english.territory("COD") == "Democratic Republic of the Congo"
    assert english.territory("IRN") == "Iran (Islamic Republic of)"
    assert LocaleFormat(Language.FR).territory("RUS") == "Fédération de Russie"
    assert LocaleFormat(Language.ES).territory("TUR") == "Türkiye"
    assert LocaleFormat(Language.RU).territory("RUS") == "Российская Федерация"
    assert LocaleFormat(Language.ZH).territory("RUS") == "俄罗斯联邦"
    # A code the UN list lacks still gets Babel's name, then the code itself.
    assert english.territory("ABW") == "Aruba"
    assert english.territory("XQZ") == "XQZ"
