"""Whatever rules a shop writes, they never approve what the return policy forbids.

Random rule sets, as the back office would save them (each passes the check on save), decide
random requests: an order delivered some days ago, an item perhaps sold as final sale, a return
or a claim. The policy (returns/policy.py) is asked of each request as it stands; every approval
the rules make is one the policy allows.
"""

from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returns.models import ReturnKind, ReturnLine, ReturnReason, ReturnRequest, ShopifyOrder
from returns.policy import ReturnPolicy, item_eligibility
from returns.rules.engine import ActiveRule, decide, rule_check
from returns.rules.facts import request_facts
from returns.rules.language import RuleError
from returns.shopify.orders import order_from_graphql
from tests import shop

POLICY = ReturnPolicy(return_window_days=30, guarantee_years=2)

atoms = st.one_of(
    st.sampled_from(
        [
            "within_window",
            "within_guarantee",
            'kind == "return"',
            'kind == "claim"',
            '"final-sale" in tags',
            '"sale" in tags',
            'country == "nl"',
            'reason == "defect"',
        ]
    ),
    st.builds("items {} {}".format, st.sampled_from(["<", ">=", "=="]), st.integers(0, 4)),
    st.builds("total {} {} EUR".format, st.sampled_from(["<", ">", "<="]), st.integers(0, 300)),
    st.builds("returns_this_year < {}".format, st.integers(0, 4)),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds("not ({})".format, inner),
        st.builds("({}) and ({})".format, inner, inner),
        st.builds("({}) or ({})".format, inner, inner),
    ),
    max_leaves=6,
)
rule_rows = st.lists(
    st.tuples(conditions, st.sampled_from(["approve", "approve", "reject", "review"])),
    max_size=5,
)


def saved_rules(rows) -> list[ActiveRule]:
    """The rules the back office would have accepted, in their order."""
    rules = []
    for position, (text, decision) in enumerate(rows, start=1):
        try:
            rule = rule_check(text, decision, final_sale_tags=POLICY.final_sale_tags)
        except RuleError:
            continue
        rules.append(ActiveRule(position, position, text, decision, rule, "not_returnable"))
    return rules


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=rule_rows,
    delivered_days_ago=st.integers(0, 900),
    final_sale=st.booleans(),
    claim=st.booleans(),
    quantity=st.integers(1, 3),
    price=st.sampled_from(["9.95", "39.95", "149.00"]),
)
def test_no_rule_set_approves_what_the_policy_forbids(
    rows, delivered_days_ago, final_sale, claim, quantity, price
):
    tags = ("final-sale",) if final_sale else ("sale",)
    item_data = shop.line_item(quantity=3, price=price, tags=tags)
    data = shop.order(
        items=[item_data],
        shipped_days_ago=delivered_days_ago + 1,
        delivered_days_ago=delivered_days_ago,
    )
    snapshot = order_from_graphql(data)
    request = ReturnRequest(
        order=ShopifyOrder(data=snapshot.to_json(), currency="EUR"),
        kind=ReturnKind.CLAIM if claim else ReturnKind.RETURN,
        reason=ReturnReason.DEFECT if claim else ReturnReason.NOT_SATISFIED,
        created_at=timezone.now(),
    )
    [item] = snapshot.line_items
    lines = [
        ReturnLine(
            line_item_id=item.id,
            quantity=quantity,
            unit_price=item.unit_price.amount,
            currency="EUR",
        )
    ]
    known = request_facts(request, lines, returns_this_year=0, policy=POLICY)

    verdict = decide(saved_rules(rows), known.facts, policy_blocker=known.policy_blocker)

    entry = item_eligibility(
        snapshot, item, reserved=0, now=request.created_at + timedelta(0), policy=POLICY
    )
    forbidden = entry.claim_blocker if claim else entry.return_blocker
    if verdict.decision == "approve":
        assert forbidden is None, (rows, forbidden)
    if forbidden is not None:
        assert known.policy_blocker is not None
