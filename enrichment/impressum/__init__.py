"""Company data from Impressum, imprint and contact pages (spaCy rules + phonenumbers + stdnum).

Public API: `extract_impressum(html, url=None) -> ImpressumData` and `build_nlp()`.
"""

from enrichment.impressum.extract import ImpressumData, extract_impressum
from enrichment.impressum.nlp import build_nlp

__all__ = ["ImpressumData", "build_nlp", "extract_impressum"]
