"""The two legal tracks a request can be on, and the words that say which one it is.

Read with the steps (returns/steps.py): the status page, the emails and the note lines take a
request's track words from here, as they take a step's words from its declaration.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ClaimRemedy, ReturnKind, ReturnRequest


@dataclass(frozen=True)
class Track:
    """The legal track a request is on, and the words that say so wherever it is shown.

    "Not satisfied" is the consumer's right of withdrawal (Widerruf, § 355 BGB; herroeping, art.
    6:230o BW; Art. 9 Directive 2011/83/EU): no reason needed, the money back. "Defect" is a
    claim under the legal guarantee (gesetzliche Gewährleistung, §§ 434, 437, 439 BGB;
    conformiteit, art. 7:17, 7:21 BW; Art. 13 Directive (EU) 2019/771): the buyer chooses repair
    or replacement. The two are never worded as one another.
    """

    kind: str
    label: Promise  # what staff read in the queue
    note_label: Promise  # after the number on every line of the Shopify order's note
    title: Promise  # the status page's heading and the emails' subject, with %(number)s
    summary: Promise  # one sentence for the shopper on what this track means


WITHDRAWAL = Track(
    kind=ReturnKind.RETURN,
    label=_("Withdrawal"),
    note_label=_("withdrawal"),
    title=_("Withdrawal %(number)s"),
    summary=_(
        "You have withdrawn from the purchase of these items. A withdrawal needs no reason. We "
        "refund you within 14 days of receiving your withdrawal; we may wait until the items "
        "are back with us or you have shown us proof that you sent them."
    ),
)
GUARANTEE = Track(
    kind=ReturnKind.CLAIM,
    label=_("Legal guarantee claim"),
    note_label=_("legal guarantee"),
    title=_("Guarantee claim %(number)s"),
    summary=_(
        "This is a claim under the legal guarantee: the item is defective, and we remedy that "
        "free of charge."
    ),
)
_TRACKS = {track.kind: track for track in (WITHDRAWAL, GUARANTEE)}
# What the shopper asked for under the guarantee, as they and staff read it.
REMEDY_ASKED = {
    ClaimRemedy.REPLACEMENT: _("You asked for a replacement."),
    ClaimRemedy.REPAIR: _("You asked for a repair."),
}


def track_of(request: ReturnRequest) -> Track:
    return _TRACKS[request.kind]
