"""Name gazetteer built from the name lists shipped inside the installed Faker package.

Nothing is downloaded: the lists are read from Faker's ``es_*`` (and ``en_US``) person
providers at first use and cached for the process.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from redaction.normalize import strip_accents
from redaction.recognizers.common.lexicon import AMBIGUOUS_NAMES, COMMON_WORDS

_LOCALES = {
    "es": ("es", "es_AR", "es_CL", "es_CO", "es_ES", "es_MX"),
    "en": ("en_US", "en_GB"),
}
_FIRST_ATTRS = ("first_names", "first_names_male", "first_names_female")


def _faker_names(locale: str) -> tuple[set[str], set[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    first: set[str] = set()
    last: set[str] = set()
    for cls in provider.__mro__:
        for attr in (*_FIRST_ATTRS, "last_names"):
            values = cls.__dict__.get(attr)
            if values is None or isinstance(values, property):
                continue
            target = last if attr == "last_names" else first
            for name in values:
                for part in str(name).split():
                    target.add(strip_accents(part.lower()))
    return first, last


@dataclass(frozen=True)
class NameLexicon:
    """Folded (lowercase, accent-free) first names and surnames."""

    first: frozenset[str]
    last: frozenset[str]

    def is_first(self, folded: str) -> bool:
        """A known first name that is not an ordinary word."""
        return folded in self.first and folded not in COMMON_WORDS

    def is_ambiguous(self, folded: str) -> bool:
        """A first name that is also an ordinary word (Rosa, Luz, Paz...)."""
        return folded in AMBIGUOUS_NAMES

    def is_last(self, folded: str) -> bool:
        """A known surname that is not an ordinary word."""
        return folded in self.last and folded not in COMMON_WORDS

    def contains_name(self, label: str) -> bool:
        """True when ``label`` (a host label like ``elenavidalfoto``) starts with a name."""
        label = strip_accents(label.lower())
        for size in range(4, min(len(label), 12) + 1):
            prefix = label[:size]
            if (prefix in self.first and prefix not in AMBIGUOUS_NAMES) or (
                size >= 5 and prefix in self.last
            ):
                if prefix not in COMMON_WORDS:
                    return True
        return False


@lru_cache(maxsize=4)
def name_lexicon(language: str = "es") -> NameLexicon:
    """The gazetteer for ``language`` (Spanish lists are always included)."""
    first: set[str] = set()
    last: set[str] = set()
    for lang in {"es", language}:
        for locale in _LOCALES.get(lang, ()):
            f, surnames = _faker_names(locale)
            first |= f
            last |= surnames
    first = {n for n in first if len(n) > 1}
    last = {n for n in last if len(n) > 1}
    return NameLexicon(first=frozenset(first), last=frozenset(last))
