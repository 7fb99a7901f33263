"""Saving the return policy: a new version each time, never an edit of one in force."""

from django.db import transaction

from ..models_policy import PolicyVersion
from ..policy import ReturnPolicy
from ..policy_versions import policy_changes, policy_to_data
from ..selectors import policy_current


def policy_version_create(*, policy: ReturnPolicy, user) -> PolicyVersion:
    """Store `policy` (already validated: returns/admin_policy_forms.py) as the version in force
    from now on, with who saved it and what changed against the one before. Requests made
    before keep the version they were decided under."""
    with transaction.atomic():
        # Two editors saving at once: the second compares against the first's version.
        PolicyVersion.objects.select_for_update().order_by("-created_at", "-pk").first()
        data = policy_to_data(policy)
        return PolicyVersion.objects.create(
            created_by=user,
            changes=policy_changes(policy_to_data(policy_current()), data),
            **data,
        )
