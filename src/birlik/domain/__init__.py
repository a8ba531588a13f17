"""Plain records and errors shared by every layer."""

from birlik.domain.errors import BadInput, BirlikError, ConfigError, PipelineError, SourceUnavailable
from birlik.domain.records import Document, Mention, RawItem, RegionScore, Sentence, Token

__all__ = [
    "BadInput",
    "BirlikError",
    "ConfigError",
    "Document",
    "Mention",
    "PipelineError",
    "RawItem",
    "RegionScore",
    "Sentence",
    "SourceUnavailable",
    "Token",
]
