"""Quality checks per segment, as small classes loaded from a list (CHECKS) as Weblate does: each looks at a
source sentence and its translation and says what is wrong, in a sentence. A check never blocks saving; the
editor shows the warnings beside the segment and the reviewer sees them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

ZWSP = "\u200b"
# Languages written with zero-width spaces as word separators (Lao, Khmer, Thai): allowed there, not doubled.
ZWSP_LANGUAGES = frozenset({"lo", "km", "th", "kxm"})
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-zA-Z0-9_]*\}|\[\[[^\]]+\]\]|</?[a-z][a-z0-9]*[^>]*>")
# Digits of the neighbours' scripts, read as the same numbers.
_DIGITS = {ord(c): str(i) for block in ("໐໑໒໓໔໕໖໗໘໙", "០១២៣៤៥៦៧៨៩", "๐๑๒๓๔๕๖๗๘๙") for i, c in enumerate(block)}


@dataclass(frozen=True)
class Context:
    source: str
    target: str
    source_language: str
    target_language: str
    kind: str = ""  # the item's kind ("sms" has a budget)
    terms: tuple[Any, ...] = ()  # glossary terms of the pair (models.Term)


@dataclass(frozen=True)
class Finding:
    check: str
    message: Any


class Check:
    code: ClassVar[str] = ""

    def run(self, ctx: Context) -> list[Any]:
        raise NotImplementedError


def _numbers(text: str) -> list[str]:
    return sorted(m.replace(",", ".") for m in _NUMBER.findall(text.translate(_DIGITS)))


class NumbersCheck(Check):
    code = "numbers"

    def run(self, ctx: Context) -> list[Any]:
        missing = [n for n in _numbers(ctx.source) if n not in _numbers(ctx.target)]
        if missing:
            return [_("Numbers or dates of the source are missing: %(n)s.") % {"n": ", ".join(missing)}]
        return []


class PlaceholdersCheck(Check):
    code = "placeholders"

    def run(self, ctx: Context) -> list[Any]:
        wanted = sorted(_PLACEHOLDER.findall(ctx.source))
        found = sorted(_PLACEHOLDER.findall(ctx.target))
        missing = [p for p in wanted if p not in found]
        extra = [p for p in found if p not in wanted]
        out: list[Any] = []
        if missing:
            out.append(_("Markup or placeholders of the source are missing: %(p)s.") % {"p": " ".join(missing)})
        if extra:
            out.append(_("Markup or placeholders not in the source: %(p)s.") % {"p": " ".join(extra)})
        return out


class NormalisationCheck(Check):
    code = "nfc"

    def run(self, ctx: Context) -> list[Any]:
        if unicodedata.normalize("NFC", ctx.target) != ctx.target:
            return [_("The text is not in Unicode NFC; it will be normalised when saved.")]
        return []


class ZeroWidthSpaceCheck(Check):
    code = "zwsp"

    def run(self, ctx: Context) -> list[Any]:
        if ZWSP not in ctx.target:
            return []
        if ctx.target_language not in ZWSP_LANGUAGES:
            return [_("Zero-width spaces belong to Lao, Khmer and Thai text only.")]
        if ZWSP * 2 in ctx.target or ctx.target.startswith(ZWSP) or ctx.target.endswith(ZWSP):
            return [_("Zero-width spaces are doubled or at the edge of the sentence.")]
        return []


class LengthCheck(Check):
    code = "length"

    def run(self, ctx: Context) -> list[Any]:
        if not ctx.target:
            return []
        if len(ctx.target) > 3 * len(ctx.source) + 20:
            return [_("The translation is much longer than the source.")]
        if len(ctx.source) > 40 and len(ctx.target) < len(ctx.source) / 5:
            return [_("The translation is much shorter than the source.")]
        return []


def sms_parts(text: str) -> int:
    """How many SMS parts a text takes, by the one counting rule outreach sends with (`core.sms`): the NFC
    text, GSM-7 (160, then 153 septets a part, an escaped character two) or UCS-2 (70, then 67 UTF-16 units)."""
    from ttdn.core.sms import analyse

    return analyse(text).segments


class SmsBudgetCheck(Check):
    code = "sms"
    PARTS = 3

    def run(self, ctx: Context) -> list[Any]:
        if ctx.kind != "sms" or not ctx.target:
            return []
        parts = sms_parts(ctx.target)
        if parts > self.PARTS:
            return [_("As an SMS this sentence alone takes %(n)d parts (at most %(max)d).") % {
                "n": parts, "max": self.PARTS}]
        return []


class GlossaryCheck(Check):
    code = "glossary"

    def run(self, ctx: Context) -> list[Any]:
        from ttdn.translation.models import TermStatus

        source, target = ctx.source.casefold(), ctx.target.casefold()
        out: list[Any] = []
        if not target:
            return out
        for term in ctx.terms:
            here = term.source.casefold() in source
            if term.status == TermStatus.FORBIDDEN:
                if term.target and term.target.casefold() in target:
                    out.append(_("“%(t)s” is a forbidden term.") % {"t": term.target})
            elif here and term.status == TermStatus.DO_NOT_TRANSLATE:
                if term.source.casefold() not in target:
                    out.append(_("“%(s)s” is kept untranslated.") % {"s": term.source})
            elif here and term.target and term.target.casefold() not in target:
                out.append(_("“%(s)s” is translated as “%(t)s”.") % {"s": term.source, "t": term.target})
        return out


CHECKS = [
    "ttdn.translation.checks.NumbersCheck",
    "ttdn.translation.checks.PlaceholdersCheck",
    "ttdn.translation.checks.NormalisationCheck",
    "ttdn.translation.checks.ZeroWidthSpaceCheck",
    "ttdn.translation.checks.LengthCheck",
    "ttdn.translation.checks.SmsBudgetCheck",
    "ttdn.translation.checks.GlossaryCheck",
]


def loaded() -> list[Check]:
    return [import_string(path)() for path in CHECKS]


def run(ctx: Context) -> list[Finding]:
    return [Finding(check.code, message) for check in loaded() for message in check.run(ctx)]
