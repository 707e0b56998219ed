"""Territory names as the bureau writes them: normalisation and kind markers.

A label such as ``"г.а.Степногорск"``, ``"Балқаш қ."``, ``"Теренкөл район"``,
``"Темиртау (моногород)"`` or ``"Аккольский"`` is split into a *key* (the name itself, folded:
lower case, ё -> е, Kazakh letters -> their Russian look-alikes, punctuation and footnote markers
gone, Russian adjective endings cut) and a *marker* (which kind of territory the words around the
name say it is). Only rules live here; the names themselves are registry data
(``tasks/sources/taldau/territories.csv``, ``towns.csv``,
``tasks/sources/bns/territory_aliases.csv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Kazakh letters folded to the Russian letter they are written as in Russian texts
_FOLD = str.maketrans(
    {
        "ё": "е",
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "i": "и",  # a Latin i typed for і ("Бейiмбет")
        "ъ": "",
        "ь": "",
    }
)
#: footnote markers glued to a name: "Кокпекты14)", "Занятое население³⁾", "Алгинский*"
_FOOTNOTE = re.compile(r"(\s*\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰⁾]+|\*+)\s*$")

# marker words, matched on the folded text as whole words (order: longest first)
_TOWN_WORDS = ("по моногороду", "моногорода", "моногороду", "моногород", "моног")
#: "г.а." / "қ.ә." name the city administration itself; "г." / "город" / "қ." / "қаласы" a city,
#: which a table of monotowns means as the town proper
_CA_WORDS = ("г а", "к а")
_CITY_WORDS = ("гор", "города", "город", "каласы", "г", "к")
_DISTRICT_WORDS = ("районы", "района", "район", "ауданы", "р н")
_OBLAST_WORDS = ("области", "област", "облысы", "обл")  # folded: no soft sign
#: "из них г.Кулсары", "одаң: Арқалық қаласы": the town proper within the row above
_PART_WORDS = ("одан", "из них", "онын ишинде", "в том числе")

#: Russian adjective endings of district names ("Аккольский", "Ордабасынский", "Т.Рыскулова")
_ADJ = re.compile(r"(инский|ынский|ийский|ский|цкий|ской|ская|ское|ого|ому|ом)$")
_GENITIVE = re.compile(r"(а|ов|ева|ина|ына)$")


@dataclass(frozen=True)
class ParsedName:
    """A label split into its folded name ``key`` and the kind its words say (or None)."""

    text: str
    key: str
    marker: str | None  # town | part | ca | city | district | oblast | settlement | None


def fold(text: str) -> str:
    """Lower case, ё -> е, Kazakh letters -> Russian, punctuation -> spaces, footnotes off."""
    text = str(text).replace("\xa0", " ").strip()
    prev = None
    while prev != text:
        prev = text
        text = _FOOTNOTE.sub("", text).strip()
    text = text.lower().translate(_FOLD)
    text = re.sub(r"[().,:;«»\"'/\-–—]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_words(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    found = False
    for w in words:
        pattern = rf"(^| ){re.escape(w)}( |$)"
        if re.search(pattern, text):
            text = re.sub(pattern, " ", text).strip()
            found = True
    return re.sub(r"\s+", " ", text), found


def stem(word_key: str) -> str:
    """The folded name with a Russian adjective ending cut: ``"аккол ский"`` -> ``"аккол"``.

    Applied to the last word only ("бухар жырауский" -> "бухар жырау"); a name of three letters
    or fewer is left alone.
    """
    parts = word_key.split(" ")
    last = parts[-1]
    cut = _ADJ.sub("", last)
    if len(cut) >= 3:
        parts[-1] = cut
    return " ".join(parts)


#: a village or settlement of the population bulletin, told apart before folding (Kazakh "к."
#: is кенті, a settlement; "қ." is қала, a city): "Шаған к.", "Аққыстау а.", "Жанақала с.",
#: "Әлихан Бөкейхан а.ә." (a rural district)
_SETTLEMENT = re.compile(r"(?<![гГқҚ]\.)\s(а\.\s*ә\.?|а\.|к\.|с\.|п\.)\s*$")  # not "г. а."


@lru_cache(maxsize=4096)
def parse_name(text: str) -> ParsedName:
    """Split a sheet name, title fragment or row label into key and kind marker."""
    raw = str(text).strip()
    if _SETTLEMENT.search(raw):
        return ParsedName(
            text=str(text), key=stem(fold(_SETTLEMENT.sub("", raw))), marker="settlement"
        )
    folded = fold(text)
    folded, part = _strip_words(folded, _PART_WORDS)
    marker = "part" if part else None
    for kind, words in (
        ("town", _TOWN_WORDS),
        ("oblast", _OBLAST_WORDS),
        ("district", _DISTRICT_WORDS),
        ("ca", _CA_WORDS),
        ("city", _CITY_WORDS),
    ):
        folded, found = _strip_words(folded, words)
        if found and marker is None:
            marker = kind
    if marker is None and folded:
        # a bare Russian adjective says its noun: "-ский" (район) a district, "-ская"
        # (область) an oblast: "Павлодарский" is the district, "Павлодарская" the oblast
        last = folded.split(" ")[-1]
        if re.search(r"(ский|цкий)$", last):
            marker = "district"
        elif re.search(r"(ская|цкая)$", last):
            marker = "oblast"
    return ParsedName(text=str(text), key=stem(folded), marker=marker)


def name_keys(text: str) -> set[str]:
    """Every key a registry name answers to: the parsed key, and the key without a trailing
    vowel (Kazakh "Жаңаарқа" and Russian "Жанааркинский" both give "жанаарк")."""
    key = parse_name(text).key
    if not key:
        return set()
    return {key, _loose(key)}


def _loose(key: str) -> str:
    """The key with a final vowel or genitive ending cut ("жанаарка" -> "жанаарк")."""
    parts = key.split(" ")
    last = re.sub(r"[аеиоуыэюя]+$", "", parts[-1])
    if len(last) >= 3:
        parts[-1] = last
    return " ".join(parts)


def label_keys(text: str) -> tuple[set[str], str | None]:
    """The keys a label may match and its marker."""
    parsed = parse_name(text)
    if not parsed.key:
        return set(), parsed.marker
    return {parsed.key, _loose(parsed.key)}, parsed.marker


# title of a profile sheet: "… по моногороду Курчатов …", "… г.а. Семей …", "… Абайского района …"
_TITLE_TOWN = re.compile(r"моно(город|қала|кала)", re.I)
_TITLE_CA = re.compile(r"(^|[\s(])(г\.\s*а\.?|г\.|города|город)\s*[А-ЯЁӘҒҚҢӨҰҮҺІа-яё]", re.I)
_TITLE_DISTRICT = re.compile(r"(район|ауданы)", re.I)


def title_marker(title: str | None) -> str | None:
    """The kind a sheet's title names: town ("по моногороду", "в моногородах",
    "Моноқалаларда"), district, city or None."""
    if not title:
        return None
    text = str(title)
    if _TITLE_TOWN.search(text):
        return "town"
    if _TITLE_DISTRICT.search(text):
        return "district"
    if _TITLE_CA.search(text):
        return "city"
    return None
