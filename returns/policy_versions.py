"""A stored PolicyVersion as the ReturnPolicy it holds, and back; what changed between two.

The stored form is plain JSON (Decimal amounts as strings) so a version reads the same in any
later release of the portal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .policy import Fee, ReasonOption, ReturnPolicy, Scope

LANGUAGES = ("en", "nl", "de")


def fee_to_data(fee: Fee | None) -> dict[str, str] | None:
    if fee is None:
        return None
    if fee.percent is not None:
        return {"percent": str(fee.percent)}
    return {"amount": str(fee.amount)}


def fee_from_data(data: dict[str, str] | None) -> Fee | None:
    if not data:
        return None
    if "percent" in data:
        return Fee(percent=Decimal(data["percent"]))
    return Fee(amount=Decimal(data["amount"]))


def reason_to_data(option: ReasonOption) -> dict[str, Any]:
    return {
        "code": option.code,
        "track": str(option.track),
        "labels": dict(option.labels),
        "shopify_handle": option.shopify_handle,
        "return_shipping_fee": fee_to_data(option.return_shipping_fee),
        "restocking_fee": fee_to_data(option.restocking_fee),
    }


def reason_from_data(data: dict[str, Any]) -> ReasonOption:
    labels = data.get("labels") or {}
    return ReasonOption(
        code=data["code"],
        track=data["track"],
        labels=tuple(
            (language, labels[language]) for language in LANGUAGES if labels.get(language)
        ),
        shopify_handle=data.get("shopify_handle") or "",
        return_shipping_fee=fee_from_data(data.get("return_shipping_fee")),
        restocking_fee=fee_from_data(data.get("restocking_fee")),
    )


def scope_to_data(scope: Scope) -> dict[str, Any]:
    return {
        "kind": scope.kind,
        "value": scope.value,
        "return_window_days": scope.return_window_days,
        "guarantee_years": scope.guarantee_years,
        "countries": list(scope.countries),
    }


def scope_from_data(data: dict[str, Any]) -> Scope:
    return Scope(
        kind=data["kind"],
        value=data["value"],
        return_window_days=data.get("return_window_days"),
        guarantee_years=data.get("guarantee_years"),
        countries=tuple(data.get("countries") or ()),
    )


def policy_to_data(policy: ReturnPolicy) -> dict[str, Any]:
    return {
        "return_window_days": policy.return_window_days,
        "guarantee_years": policy.guarantee_years,
        "final_sale_tags": sorted(policy.final_sale_tags),
        "scopes": [scope_to_data(scope) for scope in policy.scopes],
        "reasons": [reason_to_data(option) for option in policy.reasons],
    }


def policy_from_version(version) -> ReturnPolicy:
    return ReturnPolicy(
        return_window_days=version.return_window_days,
        guarantee_years=version.guarantee_years,
        final_sale_tags=frozenset(tag.lower() for tag in version.final_sale_tags),
        reasons=tuple(reason_from_data(data) for data in version.reasons),
        scopes=tuple(scope_from_data(data) for data in version.scopes),
        version_id=version.pk,
    )


def fee_words(data: dict[str, str] | None) -> str:
    if not data:
        return "-"
    return f"{data['percent']} %" if "percent" in data else data["amount"]


def scope_words(data: dict[str, Any]) -> str:
    parts = [f"{data['kind']} {data['value']}"]
    if data.get("return_window_days") is not None:
        parts.append(f"{data['return_window_days']} d")
    if data.get("guarantee_years") is not None:
        parts.append(f"{data['guarantee_years']} y")
    return " ".join(parts)


def policy_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from `before` to `after` (both policy_to_data), one short line each, in the
    policy's own terms (field names and codes) so the audit trail reads the same in any language."""
    lines = []
    for name in ("return_window_days", "guarantee_years"):
        if before[name] != after[name]:
            lines.append(f"{name}: {before[name]} → {after[name]}")
    if before["final_sale_tags"] != after["final_sale_tags"]:
        old, new = ", ".join(before["final_sale_tags"]), ", ".join(after["final_sale_tags"])
        lines.append(f"final_sale_tags: {old or '-'} → {new or '-'}")
    old_scopes = [scope_words(s) for s in before["scopes"]]
    new_scopes = [scope_words(s) for s in after["scopes"]]
    lines += [f"scope removed: {words}" for words in old_scopes if words not in new_scopes]
    lines += [f"scope added: {words}" for words in new_scopes if words not in old_scopes]
    old_reasons = {r["code"]: r for r in before["reasons"]}
    new_reasons = {r["code"]: r for r in after["reasons"]}
    for code in old_reasons.keys() - new_reasons.keys():
        lines.append(f"reason removed: {code}")
    for code, reason in new_reasons.items():
        if code not in old_reasons:
            lines.append(f"reason added: {code} ({reason['track']})")
            continue
        old = old_reasons[code]
        for name in ("track", "labels", "shopify_handle"):
            if old[name] != reason[name]:
                lines.append(f"reason {code}: {name} changed")
        for name in ("return_shipping_fee", "restocking_fee"):
            if old[name] != reason[name]:
                lines.append(
                    f"reason {code}: {name} {fee_words(old[name])} → {fee_words(reason[name])}"
                )
    return lines
