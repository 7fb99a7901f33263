"""What the rules decided, in the words staff read on the request's screen and in its history."""

from django.utils.translation import gettext as _

from ..events import RuleDecided
from .engine import APPROVE, REJECT


def decided_in_words(payload: RuleDecided) -> str:
    """ "Approved automatically by rule 2: kind == "return" and total < 100 EUR"."""
    if payload.rule is None:
        return payload.why or _("No rule matched: a person decides.")
    values = {"position": payload.position, "text": payload.text}
    if payload.why:
        return payload.why
    if payload.decision == APPROVE:
        return _("Approved automatically by rule %(position)s: %(text)s") % values
    if payload.decision == REJECT:
        return _("Rejected automatically by rule %(position)s: %(text)s") % values
    return _("Left to a person by rule %(position)s: %(text)s") % values
