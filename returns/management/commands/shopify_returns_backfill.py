from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from returns.services.shopify_return_backfill import (
    shopify_return_backfill,
    shopify_returns_to_backfill,
)
from returns.shopify.throttle import throttle_patience
from returns.tasks import THROTTLE_PATIENCE

SUMMARY = (
    ("caught_up", "brought up to date"),
    ("up_to_date", "already up to date"),
    ("skipped", "skipped"),
    ("refused", "refused by Shopify"),
    ("unreached", "not reached"),
)


class Command(BaseCommand):
    help = (
        "Give every request made before requests became Shopify Returns its Return, brought up "
        "to where the request is (requested, approved or declined, disposed, processed, closed). "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="only these requests, e.g. R-1001-1")
        parser.add_argument(
            "--all",
            dest="every",
            action="store_true",
            help="every request, also those with a Return already (after an interrupted run, "
            "or once a refusal has been dealt with)",
        )

    def handle(self, *args, numbers, every, **options):
        counts = Counter()
        requests = shopify_returns_to_backfill(every=every, numbers=numbers)
        # Waits out Shopify's throttle, as a worker does, rather than giving up on a request.
        with throttle_patience(THROTTLE_PATIENCE):
            for request_id in requests.values_list("pk", flat=True):
                result = shopify_return_backfill(request_id=request_id)
                counts[result.outcome] += 1
                self.stdout.write(f"{result.number} ({result.status}): {_told(result)}")
        total = sum(counts.values())
        parts = ", ".join(f"{counts[key]} {words}" for key, words in SUMMARY)
        self.stdout.write(f"{total} request{'s' if total != 1 else ''}: {parts}.")
        if counts["refused"] or counts["unreached"]:
            raise CommandError(
                f"{counts['refused'] + counts['unreached']} request(s) not brought up to date "
                "(see above; refusals are on each request's history): run the command again "
                "with their numbers once dealt with."
            )


def _told(result) -> str:
    if result.outcome == "caught_up":
        return ", ".join(result.done)
    if result.outcome == "up_to_date":
        return "already up to date, nothing sent"
    if result.outcome == "skipped":
        return f"skipped: {result.why}"
    if result.outcome == "refused":
        return f"refused by Shopify, recorded on its history: {result.why}"
    return f"Shopify not reached, nothing refused: {result.why}"
