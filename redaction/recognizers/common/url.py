"""URLs that carry a personal identifier: social profiles, personal sites, ids in queries."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult

from redaction.recognizers.base import LocalPatternRecognizer
from redaction.recognizers.common.gazetteer import name_lexicon
from redaction.recognizers.priority import SHAPE

_SOCIAL = re.compile(
    r"(?i)(?:^|[/.])(?:instagram\.com|facebook\.com|fb\.com|linkedin\.com|tiktok\.com|"
    r"twitter\.com|x\.com|youtube\.com|github\.com|wa\.me|t\.me|pinterest\.com|"
    r"behance\.net|flickr\.com|threads\.net|onlyfans\.com|linktr\.ee|calendly\.com)/[@\w]"
)
_ID_QUERY = re.compile(
    r"(?i)[?&](?:email|mail|dni|cuit|rut|curp|phone|tel|user|usuario|name|nombre|owner|"
    r"author|uid|profile|perfil|cliente|customer)="
)
# A profile page on any site: "/perfil/maria.j.cardona", "/u/tomi_q", "/in/ana-ruiz".
_PROFILE_PATH = re.compile(
    r"(?i)/(?:perfil|profile|paciente|usuario|usuarios|user|users|u|in|people|cliente|"
    r"member|miembro|author|autor)/[\w.\-]{3,}"
)
_HOST = re.compile(r"(?i)^(?:https?://)?(?:www\.)?([^/?#]+)")


class PersonalUrlRecognizer(LocalPatternRecognizer):
    """A URL is PII when it names a person: profile paths, name-bearing hosts, id queries."""

    ENTITY = "URL"
    PRIORITY = SHAPE
    PATTERNS = [
        Pattern(
            "url",
            r"(?<![\w@.-])(?:https?://|www\.|(?i:[a-z0-9-]+\.)+"
            r"(?i:com|net|org|me|ee|co|ar|mx|cl|pe|uy|br|es|io|app|site|online|ve|ec|bo|py)"
            r"(?=/))"
            r"[^\s<>\"'()]+(?<![.,;:!?)])",
            0.2,
        ),
    ]
    CONTEXT = ["perfil", "instagram", "facebook", "linkedin", "mi pagina", "mi web", "portfolio"]
    PREFILTER = re.compile(
        r"(?i)https?://|www\.|\.(?:com|net|org|me|ee|co|ar|mx|cl|pe|uy|br|es|io|app|site|"
        r"online|ve|ec|bo|py)/"
    )

    def adjust(self, text: str, result: RecognizerResult) -> bool:
        """Score by what the URL holds; generic URLs stay below the threshold."""
        url = text[result.start : result.end]
        if _SOCIAL.search(url) or _ID_QUERY.search(url) or _PROFILE_PATH.search(url):
            result.score = 0.85
            return True
        host = _HOST.match(url)
        label = host.group(1).split(".")[0].lower() if host else ""
        if name_lexicon().contains_name(label) or _name_in_path(url, host):
            result.score = 0.6
        elif self.has_context(text, result.start):
            result.score = 0.5
        return True


def _name_in_path(url: str, host: re.Match[str] | None) -> bool:
    """A path segment made of a first name and more ("ximena.choque.disenos",
    "kine-javiera-soto"): a person's folder or booking page."""
    path = url[host.end() :] if host else url
    for segment in re.split(r"[/?#&=]", path):
        parts = [p for p in re.split(r"[._\-]", segment) if p]
        if len(parts) >= 2 and any(
            p.isalpha() and len(p) >= 4 and name_lexicon().contains_name(p) for p in parts
        ):
            return True
    return False
