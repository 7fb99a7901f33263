"""The endpoint Shopify delivers webhooks to.

It verifies, stores and answers; the work happens in a task, because Shopify counts a delivery as
failed when the answer takes more than a few seconds. Shopify is a machine: the answers carry a
status and no text to translate.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .shopify import webhooks as shopify_webhooks

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def shopify_webhook(request):
    try:
        body = request.body
    except RequestDataTooBig:
        logger.warning("Refused a Shopify webhook larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
        return HttpResponse(status=413)
    try:
        delivery = shopify_webhooks.delivery_verify(
            method=request.method,
            url=request.build_absolute_uri(),
            headers=dict(request.headers),
            body=body,
        )
    except shopify_webhooks.WebhookRejected as rejected:
        logger.warning("Refused a Shopify webhook (HTTP %s): %s", rejected.status, rejected.reason)
        return HttpResponse(status=rejected.status)
    try:
        stored = services.webhook_delivery_receive(
            webhook_id=delivery.webhook_id,
            topic=delivery.topic,
            shop_domain=delivery.shop_domain,
            payload=delivery.payload,
        )
    except (DataError, IntegrityError):
        # Databases refuse some JSON that Python reads (PostgreSQL a NUL character); Shopify
        # sends none of it, and a retry would not change the answer.
        logger.warning("Refused Shopify webhook %s: unstorable payload", delivery.webhook_id)
        return HttpResponse(status=400)
    if stored is None:
        logger.info("Shopify webhook %s was received before; ignored", delivery.webhook_id)
    return HttpResponse(status=200)
