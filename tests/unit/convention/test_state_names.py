"""The UN's short names of States: every code the service knows has all six, exactly."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files

import pytest

from hanoi.convention import Language, bundled_parties_bytes, default_catalogue, parse_parties
from hanoi.convention.loading import CatalogueError
from hanoi.convention.state_names import _problems, state_names, un_short_name
from hanoi.sandbox.demo import STATES as DEMO_STATES
from hanoi.sandbox.nodes import NAMES as SANDBOX_NAMES

NAMES = state_names()
OBSERVER_STATES = {"VAT", "PSE"}
ALL_X = {language.value: "x" for language in Language}


def _notes_codes() -> set[str]:
    text = files("hanoi.convention").joinpath("data", "parties.notes.csv").read_text("utf-8")
    return {row["party"] for row in csv.DictReader(io.StringIO(text))}


def test_every_party_of_the_convention_data_has_a_name() -> None:
    records = parse_parties(bundled_parties_bytes(), rules=default_catalogue().treaty_rules)
    parties = {record.party for record in records} | _notes_codes()
    assert "EU" in parties
    assert parties - NAMES.keys() == set()


def test_every_state_of_the_demo_and_the_tests_has_a_name() -> None:
    used = set(DEMO_STATES) | set(SANDBOX_NAMES) | {"EGY", "VNM", "FRA", "QAT", "DEU"}
    assert used - NAMES.keys() == set()


def test_the_member_states_the_two_observer_states_and_the_eu() -> None:
    assert len(NAMES) == 193 + len(OBSERVER_STATES) + 1
    assert OBSERVER_STATES | {"EU"} <= NAMES.keys()
    for gone in ("ABW", "GRL", "HKG", "MAC", "ATA"):  # not UN Member or observer States
        assert gone not in NAMES


def test_every_entry_has_six_non_empty_names() -> None:
    six = {language.value for language in Language}
    for code, entry in NAMES.items():
        assert set(entry) == six, code
        for language, name in entry.items():
            assert name, (code, language)
            assert name == name.strip(), (code, language)
            assert "\u2019" not in name, (code, language)  # one apostrophe throughout: '


def test_the_file_says_where_its_names_come_from() -> None:
    text = files("hanoi.convention").joinpath("data", "state_names.json").read_text("utf-8")
    header = json.loads(text)
    assert "UNTERM" in header["source"]
    assert "M49" in header["source"]
    assert "2026" in header["source"]
    assert "not translation" in header["note"]


# Each State, in Arabic, Chinese, English, French, Russian and Spanish.
SPOT_CHECKS: dict[str, tuple[str, str, str, str, str, str]] = {
    "VNM": ("فييت نام", "越南", "Viet Nam", "Viet Nam", "Вьетнам", "Viet Nam"),
    "RUS": (
        "الاتحاد الروسي",
        "俄罗斯联邦",
        "Russian Federation",
        "Fédération de Russie",
        "Российская Федерация",
        "Federación de Rusia",
    ),
    "PRK": (
        "جمهورية كوريا الشعبية الديمقراطية",
        "朝鲜民主主义人民共和国",
        "Democratic People's Republic of Korea",
        "République populaire démocratique de Corée",
        "Корейская Народно-Демократическая Республика",
        "República Popular Democrática de Corea",
    ),
    "KOR": (
        "جمهورية كوريا",
        "大韩民国",
        "Republic of Korea",
        "République de Corée",
        "Республика Корея",
        "República de Corea",
    ),
    "COD": (
        "جمهورية الكونغو الديمقراطية",
        "刚果民主共和国",
        "Democratic Republic of the Congo",
        "République démocratique du Congo",
        "Демократическая Республика Конго",
        "República Democrática del Congo",
    ),
    "COG": ("الكونغو", "刚果", "Congo", "Congo", "Конго", "Congo"),
    "IRN": (
        "إيران (جمهورية - الإسلامية)",
        "伊朗伊斯兰共和国",
        "Iran (Islamic Republic of)",
        "Iran (République islamique d')",
        "Иран (Исламская Республика)",
        "Irán (República Islámica del)",
    ),
    "TUR": ("تركيا", "土耳其", "Türkiye", "Türkiye", "Турция", "Türkiye"),
    "BOL": (
        "بوليفيا (دولة - المتعددة القوميات)",
        "多民族玻利维亚国",
        "Bolivia (Plurinational State of)",
        "Bolivie (État plurinational de)",
        "Боливия (Многонациональное Государство)",
        "Bolivia (Estado Plurinacional de)",
    ),
    "TZA": (
        "جمهورية تنزانيا المتحدة",
        "坦桑尼亚联合共和国",
        "United Republic of Tanzania",
        "République-Unie de Tanzanie",
        "Объединенная Республика Танзания",
        "República Unida de Tanzanía",
    ),
    "LAO": (
        "جمهورية لاو الديمقراطية الشعبية",
        "老挝人民民主共和国",
        "Lao People's Democratic Republic",
        "République démocratique populaire lao",
        "Лаосская Народно-Демократическая Республика",
        "República Democrática Popular Lao",
    ),
    "PSE": (
        "دولة فلسطين",
        "巴勒斯坦国",
        "State of Palestine",
        "État de Palestine",
        "Государство Палестина",
        "Estado de Palestina",
    ),
    "VAT": ("الكرسي الرسولي", "教廷", "Holy See", "Saint-Siège", "Святой Престол", "Santa Sede"),
    "CIV": (
        "كوت ديفوار",
        "科特迪瓦",
        "Côte d'Ivoire",
        "Côte d'Ivoire",
        "Кот-д'Ивуар",
        "Côte d'Ivoire",
    ),
    "CZE": ("تشيكيا", "捷克", "Czechia", "Tchéquie", "Чехия", "Chequia"),
    "SWZ": ("إسواتيني", "斯威士兰", "Eswatini", "Eswatini", "Эсватини", "Eswatini"),
    "MKD": (
        "مقدونيا الشمالية",
        "北马其顿",
        "North Macedonia",
        "Macédoine du Nord",
        "Северная Македония",
        "Macedonia del Norte",
    ),
    "NLD": (
        "هولندا (مملكة -)",
        "荷兰王国",
        "Netherlands (Kingdom of the)",
        "Pays-Bas (Royaume des)",
        "Нидерланды (Королевство)",
        "Países Bajos (Reino de los)",
    ),
    "GBR": (
        "المملكة المتحدة لبريطانيا العظمى وآيرلندا الشمالية",
        "大不列颠及北爱尔兰联合王国",
        "United Kingdom of Great Britain and Northern Ireland",
        "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        "Соединенное Королевство Великобритании и Северной Ирландии",
        "Reino Unido de Gran Bretaña e Irlanda del Norte",
    ),
    "USA": (
        "الولايات المتحدة الأمريكية",
        "美利坚合众国",
        "United States of America",
        "États-Unis d'Amérique",
        "Соединенные Штаты Америки",
        "Estados Unidos de América",
    ),
    "FSM": (
        "ميكرونيزيا (ولايات - الموحدة)",
        "密克罗尼西亚联邦",
        "Micronesia (Federated States of)",
        "Micronésie (États fédérés de)",
        "Микронезия (Федеративные Штаты)",
        "Micronesia (Estados Federados de)",
    ),
    "VEN": (
        "فنزويلا (جمهورية - البوليفارية)",
        "委内瑞拉玻利瓦尔共和国",
        "Venezuela (Bolivarian Republic of)",
        "Venezuela (République bolivarienne du)",
        "Венесуэла (Боливарианская Республика)",
        "Venezuela (República Bolivariana de)",
    ),
    "MDA": (
        "جمهورية مولدوفا",
        "摩尔多瓦共和国",
        "Republic of Moldova",
        "République de Moldova",
        "Республика Молдова",
        "República de Moldova",
    ),
    "SYR": (
        "الجمهورية العربية السورية",
        "阿拉伯叙利亚共和国",
        "Syrian Arab Republic",
        "République arabe syrienne",
        "Сирийская Арабская Республика",
        "República Árabe Siria",
    ),
    "CPV": ("كابو فيردي", "佛得角", "Cabo Verde", "Cabo Verde", "Кабо-Верде", "Cabo Verde"),  # noqa: RUF001
    "TLS": ("تيمور - ليشتي", "东帝汶", "Timor-Leste", "Timor-Leste", "Тимор-Лешти", "Timor-Leste"),
    "BRN": (
        "بروني دار السلام",
        "文莱达鲁萨兰国",
        "Brunei Darussalam",
        "Brunéi Darussalam",
        "Бруней-Даруссалам",
        "Brunei Darussalam",
    ),
    "GMB": ("غامبيا", "冈比亚", "Gambia", "Gambie", "Гамбия", "Gambia"),
    "BHS": ("جزر البهاما", "巴哈马", "Bahamas", "Bahamas", "Багамские Острова", "Bahamas"),
    "EU": (
        "الاتحاد الأوروبي",
        "欧洲联盟",
        "European Union",
        "Union européenne",
        "Европейский союз",
        "Unión Europea",
    ),
}


@pytest.mark.parametrize("code", sorted(SPOT_CHECKS))
def test_spot_checks_in_the_six_languages(code: str) -> None:
    for language, expected in zip(Language, SPOT_CHECKS[code], strict=True):
        assert un_short_name(code, language) == expected, (code, language.value)


def test_an_unknown_code_or_language_has_no_name() -> None:
    assert un_short_name("XQZ", "en") is None
    assert un_short_name("vnm", "en") is None
    assert un_short_name("VNM", "vi") is None
    assert un_short_name("VNM", Language.ES) == "Viet Nam"


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], ""),
        ({"note": "data", "names": {"VNM": {}}}, "source"),
        ({"source": "UN", "note": "data", "names": {}}, "names"),
        ({"source": "UN", "note": "data", "names": {"VN": ALL_X}}, "names.VN"),
        ({"source": "UN", "note": "data", "names": {"VNM": {"en": "Viet Nam"}}}, "names.VNM"),
        (
            {"source": "UN", "note": "data", "names": {"VNM": {**ALL_X, "ru": " "}}},
            "names.VNM.ru",
        ),
    ],
)
def test_a_malformed_file_is_named_field_by_field(document: object, path: str) -> None:
    assert path in [problem.path for problem in _problems(document)]


def test_the_bundled_file_is_well_formed() -> None:
    text = files("hanoi.convention").joinpath("data", "state_names.json").read_text("utf-8")
    assert _problems(json.loads(text)) == []


def test_a_malformed_bundled_file_stops_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json, "loads", lambda _text: {"source": "UN", "names": {}})
    state_names.cache_clear()
    try:
        with pytest.raises(CatalogueError) as caught:
            state_names()
        assert {problem.path for problem in caught.value.fields} == {"note", "names"}
    finally:
        monkeypatch.undo()
        state_names.cache_clear()
    assert state_names() == NAMES
