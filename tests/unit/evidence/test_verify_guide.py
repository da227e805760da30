"""The verification guide an export carries: six languages, each a real translation, each
naming the same commands, and a tag file that the bag and the signature cover."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hanoi.errors import InvalidInput
from hanoi.evidence.guide import (
    LANGUAGES,
    MAX_LISTED,
    Guide,
    GuideFacts,
    commands,
    guide_texts,
    placeholders,
    render_guide,
)
from hanoi.evidence.passphrase import Scheme
from hanoi.evidence.statement import PayloadEntry

CREATED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
TOOLS = ("bagit.py", "age", "sha256sum", "hanoi")
# Words of English prose that no translation keeps (the commands are set apart).
ENGLISH = re.compile(r"\b(the|and|with|each|file|files|package|passphrase|signed)\b")
SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
}
MARKERS = {"fr": ("paquet", "chaque", "fichier"), "es": ("paquete", "cada", "archivo")}


def entry(name: str, path: str) -> PayloadEntry:
    return PayloadEntry(
        name=name,
        path=path,
        sha256="ab" * 32,
        size=1234,
        ciphertext_sha256="cd" * 32,
        ciphertext_size=1500,
    )


def facts(scheme: Scheme = "scrypt", files: int = 2) -> GuideFacts:
    payload = [entry("inbox.mbox", "data/inbox.mbox.age")]
    payload += [entry(f"photo {n}.jpg", f"data/photo_{n}.jpg.age") for n in range(files - 1)]
    return GuideFacts(
        folder="for-senegal",
        package_id="3a7015ce-5599-4af4-b70d-2538ec683e7e",
        created=CREATED,
        sending_state="EGY",
        request="EGY-2026-00042",
        scheme=scheme,
        payload=payload,
    )


def command_lines(text: str) -> list[str]:
    """The guide's indented lines that run a tool, in order."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.startswith("    ") and line.strip().split(" ", 1)[0] in TOOLS
    ]


def prose(text: str) -> str:
    """The guide without its command lines and file listing (which are not translated)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("    "))


def test_each_of_the_six_languages_has_every_text_with_the_same_placeholders() -> None:
    texts = guide_texts()
    assert set(texts) == set(LANGUAGES) == {"ar", "zh", "en", "fr", "ru", "es"}
    for language in LANGUAGES:
        assert set(texts[language]) == set(texts["en"])
        for key, text in texts[language].items():
            assert text.strip() == text
            assert text, (language, key)
            assert placeholders(text) == placeholders(texts["en"][key]), (language, key)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_the_five_other_languages_are_not_english(language: str) -> None:
    english, texts = guide_texts()["en"], guide_texts()[language]
    for key, text in texts.items():
        assert text != english[key], (language, key)
    rendered = prose(render_guide(language, facts()).decode("utf-8"))
    assert not ENGLISH.findall(rendered), ENGLISH.findall(rendered)
    if language in SCRIPTS:
        for key, text in texts.items():
            assert SCRIPTS[language].search(text), (language, key)
    else:
        for word in MARKERS[language]:
            assert word in rendered.lower()


@pytest.mark.parametrize("scheme", ["scrypt", "x25519"])
def test_every_language_names_the_same_commands(scheme: Scheme) -> None:
    expected = commands(facts(scheme))
    assert expected[0] == "bagit.py --validate for-senegal"
    assert expected[-1].startswith("hanoi evidence verify for-senegal --trust trust.json")
    assert "age -d" in " ".join(expected)
    for language in LANGUAGES:
        text = render_guide(language, facts(scheme)).decode("utf-8")
        assert command_lines(text) == expected, language


def test_the_commands_follow_the_encryption() -> None:
    scrypt, x25519 = commands(facts("scrypt")), commands(facts("x25519"))
    assert "age -d -o inbox.mbox for-senegal/data/inbox.mbox.age" in scrypt
    assert "sha256sum inbox.mbox" in scrypt
    assert scrypt[-1].endswith("--passphrase-stdin")
    assert "age -d -i identity.txt -o inbox.mbox for-senegal/data/inbox.mbox.age" in x25519
    assert x25519[-1].endswith("--identity identity.txt")
    assert "photo_0.jpg" in " ".join(scrypt)


def test_the_guide_lists_each_file_with_its_digest_and_the_package() -> None:
    text = render_guide("en", facts()).decode("utf-8")
    assert text.startswith("HOW TO VERIFY THIS EVIDENCE PACKAGE\n")
    assert "3a7015ce-5599-4af4-b70d-2538ec683e7e" in text
    assert "EGY-2026-00042" in text
    assert "original name: photo 0.jpg" in text
    assert f"SHA-256: {'ab' * 32}" in text
    assert "through a separate channel" in text
    assert "identity.txt" not in text.split("3. ", 1)[0]


def test_a_long_package_lists_the_first_files_and_says_how_many_more() -> None:
    many = facts(files=MAX_LISTED + 5)
    for language in LANGUAGES:
        text = render_guide(language, many).decode("utf-8")
        more = guide_texts()[language]["more_files"].format(more=5)
        assert " ".join(more.split()) in " ".join(text.split())
        assert len([c for c in command_lines(text) if c.startswith("age -d")]) == MAX_LISTED


def test_a_folder_name_is_quoted_for_the_shell() -> None:
    odd = replace(facts(), folder="case 42; rm -rf x")
    assert commands(odd)[0] == "bagit.py --validate 'case 42; rm -rf x'"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidInput, match="one of ar, zh, en, fr, ru, es"):
        Guide("de")
    assert Guide("zh").path == "VERIFY.zh.txt"
