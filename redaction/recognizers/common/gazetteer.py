"""Name gazetteer built from the name lists shipped inside the installed Faker package.

Nothing is downloaded: the lists are read from Faker's person providers at first use and
cached for the process. First names come from the Spanish, Portuguese, Italian, English,
French, German and (romanized) Japanese lists; surnames from every Latin-script locale
plus romanized Japanese/Chinese/Korean ones, since LatAm customers carry surnames of every
origin. A hand-written list adds indigenous surnames (Mapuche, Quechua, Aymara, Guaraní)
and the usual nicknames (Fede, Lupita, Nacho...), which no Faker locale has.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache

from redaction.normalize import strip_accents
from redaction.recognizers.common.lexicon import AMBIGUOUS_NAMES, COMMON_WORDS
from redaction.recognizers.common.vocab import COMMON_VOCAB

_LOCALES = {
    "es": ("es", "es_AR", "es_CL", "es_CO", "es_ES", "es_MX", "es_CA"),
    "en": ("en_US", "en_GB"),
}
# Other origins: their first names are used for the gazetteer's first names too, their
# surnames for its surnames.
_FOREIGN_FIRST = ("pt_BR", "pt_PT", "it_IT", "en_US", "en_GB", "fr_FR", "de_DE", "ja_JP")
_FOREIGN_LAST = (
    *_FOREIGN_FIRST,
    "en_IE",
    "de_AT",
    "de_CH",
    "fr_CA",
    "nl_NL",
    "pl_PL",
    "cs_CZ",
    "hr_HR",
    "sk_SK",
    "sl_SI",
    "ro_RO",
    "hu_HU",
    "tr_TR",
    "id_ID",
    "fil_PH",
    "da_DK",
    "sv_SE",
    "no_NO",
    "fi_FI",
    "lt_LT",
    "lv_LV",
    "et_EE",
    "zh_CN",
    "ko_KR",
    "vi_VN",
)
_FIRST_ATTRS = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_romanized_names",
    "first_romanized_names_male",
    "first_romanized_names_female",
)
_LAST_ATTRS = ("last_names", "last_romanized_names", "male_last_names", "unisex_last_names")
_LATIN = re.compile(r"^[a-z][a-z'\-]*$")

# Indigenous surnames of the Andes and the Southern Cone (Mapuche, Quechua, Aymara,
# Guaraní), frequent in AR, CL, PE, BO and PY; written from general knowledge.
INDIGENOUS_SURNAMES = frozenset(
    """
    mamani quispe huanca huamani huaman condori choque ccori ccama ticona apaza cusi
    coaquira chambi chura colque copa flores mayta pari poma yupanqui ticlla huarachi
    limachi nina quisbert tola alanoca calle callisaya chipana churata huallpa inca
    llanqui machaca mamani mollo pacha paucar puma quenta quilla roque sirpa tarqui
    tito yapura yucra ayma atahualpa huaraca ccapa huillca chalco ramos huayta
    cutipa pillco chauca ancasi huarcaya sullca tupa vilca vilcapoma cahuana saire
    huenchumilla nancupil painemal catrileo millapan colipan caniupan huenchul huenchuman
    huenuman lienlaf marileo melinao millaqueo nahuelpan namuncura painequeo quilaqueo
    quintrileo raipillan antilef ancamil calfuqueo caniulef catalan cayul curinao
    huaiquil huentelaf lefian llancaqueo manquel millanao nahuelhual paillalef pichun
    quidel quilapan rapiman tripailaf calfucura curiqueo huechan llanquileo mariqueo
    nahuel namuncura ñancupil nancucheo pilquiman reiman huenchuleo collipal cheuquepan
    aguara arapoti ayala benitez caceres cabanas giménez guairá guaraci mbae arasy
    tupa ñandu yegros guayuan irala aquino ojeda chamorro cuyubi
    """.split()
)
# Nicknames and short forms used in chat signatures ("saludos, fede c.").
NICKNAMES = frozenset(
    """
    fede nacho pancho paco pepe lalo chema juanma juanpi juanchi guille santi seba nico
    agus mati maxi tomi fran facu lucho beto gonza rodri fer ferchu
    pao lupita lupe chayo conchi charo meche memo moni vicky vicki cami caro flor sole
    mari tati meli juli mica romi ceci gabi dani ale ana luli lu nati vero yani yami
    naty jime jimena lau lauri maca marian mariela majo mafe pili pepa maite rodo
    kike quique manu nando alfre chelo toti nacha lore cris cristi pame
    benja tincho coni javi joaco juampi lauti nahue rami feli fabi sofi belu guada guadi
    agus flopi mechi euge emi eli isa juanjo josema chechu pachi panchi cote cuca
    checho fito tavo chuy lencho nacho poncho chucho licha lula yoli maru marce pau
    """.split()
)
# Basque, Catalan and Galician first names, frequent in Spain and among its emigrants but
# missing from Faker's es_ES list (Ainhoa, Unai, Koldo...).
REGIONAL_FIRST_NAMES = frozenset(
    """
    ainhoa unai koldo mikel ander amaia amaya edurne gorka xabier xabi inaki josu eneko
    aritz asier ibai igor imanol joseba julen kepa markel oier urko benat aimar iker aitor
    ane maialen nahia uxue irati garazi izaro haizea leire nerea itziar arantxa arantza
    miren idoia olatz saioa nekane begona maite itxaso naiara ainara irune iratxe ziortza
    oriol jordi pau pol arnau marc jaume quim biel xavi lluis enric ferran gerard bernat
    guillem marti montse nuria laia meritxell mireia roser neus merce txell aina queralt
    ariadna eulalia xoan xose brais iago anxo uxia antia iria noa sabela xiana aldara
    carme uxio breixo xurxo
    """.split()
)
# Second halves of compound first names ("Juan de Dios", "María de los Ángeles").
COMPOUND_PARTS = frozenset("dios angeles mar carmen pilar rosario jesus lourdes".split())


@lru_cache(maxsize=64)
def _faker_names(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:  # an older Faker without that locale
        return frozenset(), frozenset()
    first: set[str] = set()
    last: set[str] = set()
    for cls in provider.__mro__:
        for attr in (*_FIRST_ATTRS, *_LAST_ATTRS):
            values = cls.__dict__.get(attr)
            if values is None or isinstance(values, property):
                continue
            target = last if attr in _LAST_ATTRS else first
            for name in values:
                for part in str(name).split():
                    folded = strip_accents(part.lower()).replace("ł", "l").replace("ø", "o")
                    if _LATIN.match(folded):
                        target.add(folded)
    return frozenset(first), frozenset(last)


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
    spanish_first, spanish_last = set(first), set(last)
    for locale in _FOREIGN_FIRST:
        first |= _faker_names(locale)[0]
    for locale in _FOREIGN_LAST:
        last |= _faker_names(locale)[1]
    # Foreign lists hold words that are ordinary in Spanish chat ("Will", "Mark", "Costa").
    first = {n for n in first if len(n) > 1 and (n in spanish_first or n not in COMMON_VOCAB)}
    last = {n for n in last if len(n) > 1 and (n in spanish_last or n not in COMMON_VOCAB)}
    first |= NICKNAMES | COMPOUND_PARTS | REGIONAL_FIRST_NAMES
    last |= {strip_accents(n) for n in INDIGENOUS_SURNAMES}
    return NameLexicon(first=frozenset(first), last=frozenset(last))
