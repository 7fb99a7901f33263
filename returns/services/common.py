"""What every service shares: the domain error and the audit trail."""

from .. import events, tasks
from ..errors import ReturnError
from ..models import ReturnEvent, ReturnRequest
from ..steps import SHOPIFY_WRITE_FAILED, Step

__all__ = ["ReturnError", "event_record", "shopify_write_failure_record", "step_record"]


def event_record(
    *,
    request: ReturnRequest,
    step: Step,
    payload: events.Payload | None = None,
    user=None,
) -> ReturnEvent:
    """Add the step's event to the audit trail; who took it and who sees it follow from the step."""
    payload = payload if payload is not None else step.payload()
    if not isinstance(payload, step.payload):
        raise TypeError(f"{step.event_type} records {step.payload.__name__}, not {payload!r}")
    return ReturnEvent.objects.create(
        request=request,
        type=step.event_type,
        actor=step.actor,
        user=user,
        customer_visible=step.customer_visible,
        data=payload.to_data(),
    )


def step_record(
    *,
    request: ReturnRequest,
    step: Step,
    payload: events.Payload | None = None,
    user=None,
) -> ReturnEvent:
    """Record a step and, once the transaction commits, write it on the Shopify order and send
    its email, as its declaration says."""
    event = event_record(request=request, step=step, payload=payload, user=user)
    if step.writes_back:
        tasks.shopify_order_write_back.delay_on_commit(event.pk)
    if step.shopify_return:
        tasks.shopify_return_step.delay_on_commit(event.pk)
    if step.email:
        tasks.customer_email_send.delay_on_commit(request.pk, step.email, event.pk)
    return event


def shopify_write_failure_record(*, event_id: int, error: str) -> None:
    """Note in the audit trail that an event could not be written to Shopify."""
    event = ReturnEvent.objects.select_related("request").get(pk=event_id)
    event_record(
        request=event.request,
        step=SHOPIFY_WRITE_FAILED,
        payload=events.ShopifyWriteFailed(event=event_id, error=error),
    )
