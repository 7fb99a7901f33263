"""What a step is: the declaration every step of a return request is made of (returns/steps.py
declares them), and the checks services and the back office ask it.

A step says which event it records, from which statuses it may be taken and to which it leads,
who may take it, what staff and shopper read about it, the line and tag it writes on the Shopify
order, and the email it sends. Services check `step.check(request)` before they change anything;
the admin offers a button only where `step.allowed(request)` and `step.permitted(user)` hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import events
from .errors import ReturnError
from .models import ReturnEvent, ReturnKind, ReturnRequest, ReturnStatus

NOT_ALLOWED = _("%(number)s has the status “%(status)s”; that step is not possible now.")
NOT_REFUNDABLE = _("%(number)s has the status “%(status)s” and cannot be refunded.")
CLAIMS_ONLY = _("Replacements are shipped for claims (defects), not for returns.")
PHOTOS_CLAIMS_ONLY = _(
    "Photos can be sent with a defect claim only; a withdrawal needs neither photos nor a reason."
)
NO_PHOTOS_WANTED = _("No more photos are needed for %(number)s.")

# Every staff member working on requests needs it; each step with a screen needs its own as well.
VIEW_PERMISSION = "returns.view_returnrequest"

Status = ReturnStatus
Actor = ReturnEvent.Actor
EVERY_KIND = frozenset(ReturnKind.values)


@dataclass(frozen=True)
class Step:
    name: str
    event_type: str
    label: Promise  # what staff read: the button, the audit trail
    actor: str = Actor.STAFF
    # The audit trail's words once the step is taken, where the button's say what to do.
    done_label: Promise | None = None
    payload: type[events.Payload] = events.Nothing
    from_statuses: frozenset[str] = frozenset()
    to_status: str | None = None
    kinds: frozenset[str] = EVERY_KIND
    # A further condition on the request itself, beyond its status and kind.
    guard: Callable[[ReturnRequest], bool] | None = None
    # A codename (app_label.codename); a step with one has its own screen in the back office.
    permission: str | None = None
    refused: Promise = NOT_ALLOWED
    kind_refused: Promise | None = None
    # On the status page's history and in the shopper's emails; None: the shopper never sees it.
    shopper_label: Promise | None = None
    # The line on the Shopify order's note, in the shop's language, and the tag set with it.
    note: Promise | None = None
    claim_note: Promise | None = None
    note_values: Callable[[ReturnRequest, events.Payload], dict] | None = None
    tag: str = ""
    # The email sent to the shopper: its kind (how a sent email is remembered), its subject and
    # its body, emails/steps/<kind>.txt inside emails/update.*; "requested" has its own templates.
    email: str = ""
    email_subject: Promise | None = None
    # What the step does to the request's Shopify Return (returns/services/shopify_returns.py):
    # "request", "approve", "decline", "cancel", "dispose" or "close"; "" leaves the Return alone.
    # Taking it brings the whole Return up to where the request is, so a step whose task runs
    # late (or never ran) is caught up by the next.
    shopify_return: str = ""

    @property
    def history_label(self) -> Promise:
        return self.done_label or self.label

    @property
    def customer_visible(self) -> bool:
        return self.shopper_label is not None

    @property
    def writes_back(self) -> bool:
        return self.note is not None

    @property
    def email_body(self) -> str:
        return f"emails/steps/{self.email}.txt"

    def allowed(self, request: ReturnRequest) -> bool:
        """Whether the request's status, kind and state allow this step now."""
        return (
            request.status in self.from_statuses
            and request.kind in self.kinds
            and (self.guard is None or self.guard(request))
        )

    def done(self, request: ReturnRequest) -> bool:
        """The request is where this step leads: taking it again changes nothing."""
        return self.to_status is not None and request.status == self.to_status

    def check(self, request: ReturnRequest) -> None:
        """Raise ReturnError, saying why, unless the step is allowed now."""
        if request.kind not in self.kinds and self.kind_refused is not None:
            raise ReturnError(self.kind_refused)
        if not self.allowed(request):
            raise ReturnError(
                self.refused % {"number": request.number, "status": request.get_status_display()}
            )

    def permitted(self, user) -> bool:
        """Whether this staff member may take the step (and see the request it is taken on)."""
        return (
            self.permission is not None
            and user.has_perm(VIEW_PERMISSION)
            and user.has_perm(self.permission)
        )

    def note_text(self, request: ReturnRequest, payload: events.Payload) -> str:
        """The note line's words, in the active language."""
        template = self.claim_note if request.kind == ReturnKind.CLAIM and self.claim_note else None
        values = self.note_values(request, payload) if self.note_values else {}
        return str(template or self.note) % values
