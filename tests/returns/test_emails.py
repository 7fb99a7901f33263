"""Step emails read what the step recorded."""

import pytest
from django.core import mail

from returns import emails, services

pytestmark = pytest.mark.django_db


def test_an_email_queued_without_its_event_by_an_older_release_still_says_what_happened(
    a_claim, staff
):
    services.return_approve(request_id=a_claim.pk, user=staff)
    services.replacement_ship(
        request_id=a_claim.pk,
        user=staff,
        carrier="dhl",
        tracking_number="00340434161234567890",
        shipped_on=a_claim.created_at.date(),
    )
    assert emails.customer_email_send(request_id=a_claim.pk, kind="replacement_shipped")
    assert "00340434161234567890" in mail.outbox[-1].body
    assert not emails.customer_email_send(request_id=a_claim.pk, kind="replacement_shipped")
