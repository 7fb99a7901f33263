"""Every state change of the returns domain, one function each.

A service locks what it changes, checks the current state, changes it, writes the audit event,
and queues Shopify writes and emails with transaction.on_commit, so nothing leaves the building
for a change that was rolled back. Calling a service twice does no harm.
"""

from .common import ReturnError, event_record, shopify_write_failure_record, step_record
from .lookup_links import lookup_link_check, lookup_link_open, lookup_link_send
from .photos import claim_photos_add, claim_photos_ask
from .policy import policy_version_create
from .recovery import stalled_work_resume
from .refund_quotes import RefundQuote, refund_limit, refund_quote
from .refunds import refund_execute, refund_request
from .replacement_orders import (
    replacement_fulfilled,
    replacement_order_create,
    replacement_order_place,
)
from .requests import (
    return_fees_preview,
    return_request_create,
    shopify_order_lookup,
    shopify_order_refetch,
    shopify_order_store,
)
from .transitions import (
    replacement_ship,
    return_approve,
    return_cancel,
    return_receive,
    return_reject,
)
from .webhooks import (
    personal_data_erase,
    personal_data_export,
    webhook_delivery_fail,
    webhook_delivery_process,
    webhook_delivery_receive,
)
from .withdrawals import withdrawal_declare, withdrawal_order_cancel

__all__ = [
    "claim_photos_add",
    "claim_photos_ask",
    "lookup_link_check",
    "lookup_link_open",
    "lookup_link_send",
    "policy_version_create",
    "RefundQuote",
    "ReturnError",
    "refund_execute",
    "refund_limit",
    "refund_quote",
    "refund_request",
    "replacement_fulfilled",
    "replacement_order_create",
    "replacement_order_place",
    "replacement_ship",
    "return_approve",
    "return_cancel",
    "return_receive",
    "return_reject",
    "shopify_order_refetch",
    "event_record",
    "step_record",
    "return_fees_preview",
    "return_request_create",
    "shopify_order_lookup",
    "shopify_order_store",
    "shopify_write_failure_record",
    "personal_data_erase",
    "personal_data_export",
    "webhook_delivery_fail",
    "webhook_delivery_process",
    "webhook_delivery_receive",
    "stalled_work_resume",
    "withdrawal_declare",
    "withdrawal_order_cancel",
]
