"""What every service shares: the domain error and the audit trail."""

from ..models import ReturnEvent, ReturnRequest


class ReturnError(Exception):
    """A change the current state does not allow; the message is for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def event_record(
    *,
    request: ReturnRequest,
    type: str,
    actor: str,
    user=None,
    customer_visible: bool = False,
    data: dict | None = None,
) -> ReturnEvent:
    return ReturnEvent.objects.create(
        request=request,
        type=type,
        actor=actor,
        user=user,
        customer_visible=customer_visible,
        data=data or {},
    )


def shopify_write_failure_record(*, event_id: int, error: str) -> None:
    """Note in the audit trail that an event could not be written to Shopify."""
    event = ReturnEvent.objects.select_related("request").get(pk=event_id)
    event_record(
        request=event.request,
        type="shopify.write_failed",
        actor=ReturnEvent.Actor.SYSTEM,
        data={"event": event_id, "error": error},
    )
