"""The language a shop writes its decision rules in, parsed without ever evaluating Python.

A rule is a condition, optionally followed by its decision:

    kind == "return" and within_window and total < 100 EUR and returns_this_year < 3 -> approve

The condition is parsed with `ast.parse(mode="eval")` and only a whitelist of node types is
accepted: fact names, numbers, strings, money literals (`100 EUR`, rewritten to a private call
before parsing), comparisons, `in` / `not in` on the tag set, and `and`, `or`, `not`. Anything
else (attribute access, calls, subscripts, arithmetic) is refused with a message staff can act on.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

DECISIONS = ("approve", "reject", "review")

# The facts a rule may name, with their type: what a request is known by when it is made.
BOOL, TEXT, NUMBER, MONEY, TEXTS = "bool", "text", "number", "money", "texts"
FACTS = {
    "kind": TEXT,
    "reason": TEXT,
    "country": TEXT,
    "total": MONEY,
    "items": NUMBER,
    "returns_this_year": NUMBER,
    "tags": TEXTS,
    "within_window": BOOL,
    "within_guarantee": BOOL,
}

_MONEY_CALL = "__money__"

EMPTY = _('Write a condition, e.g. kind == "return" and total < 100 EUR.')
SYNTAX = _("The rule cannot be read: %(error)s (at character %(position)s).")
UNKNOWN_FACT = _("“%(name)s” is not a fact a rule can use. Known facts: %(facts)s.")
NOT_ALLOWED = _(
    "“%(part)s” is not allowed in a rule: use facts, values, comparisons, and, or, not."
)
MONEY_NUMBER = _(
    "“%(name)s” is an amount of money: compare it with an amount and a currency, e.g. 100 EUR."
)
WRONG_TYPE = _("“%(name)s” cannot be compared with %(value)s.")
UNKNOWN_DECISION = _("“%(word)s” is not a decision: write approve, reject or review.")
NOT_A_CONDITION = _("“%(part)s” is not true or false by itself: compare it, e.g. items > 1.")
BAD_AMOUNT = _("“%(text)s” is not an amount.")


class RuleError(ValueError):
    """A rule that cannot be used, with the message staff read."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Rule:
    """A parsed condition: evaluate it over a request's facts."""

    source: str
    tree: ast.Expression
    facts: frozenset[str]
    constants: tuple  # every literal the condition names, for the policy check's examples
    decision: str | None = None

    def matches(self, facts: dict) -> bool:
        return bool(_evaluate(self.tree.body, facts))


def rule_parse(text: str) -> Rule:
    """The rule in `text`, or RuleError saying what is wrong with it."""
    condition, decision = _split(text or "")
    if not condition.strip():
        raise RuleError(EMPTY)
    source = _money_literals(condition)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise RuleError(SYNTAX % {"error": error.msg, "position": error.offset or 0}) from None
    names, constants = set(), []
    _condition(tree.body, names, constants)
    return Rule(
        source=condition.strip(),
        tree=tree,
        facts=frozenset(names),
        constants=tuple(constants),
        decision=decision,
    )


def _split(text: str) -> tuple[str, str | None]:
    if "->" not in text:
        return text, None
    condition, _arrow, word = text.rpartition("->")
    word = word.strip().split()[0] if word.strip() else ""
    if word not in DECISIONS:
        raise RuleError(UNKNOWN_DECISION % {"word": word})
    return condition, word


def _money_literals(text: str) -> str:
    """`100 EUR` to `__money__("100", "EUR")`, by tokens, so a string holding one is left alone."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text  # ast.parse reports it with its position
    out, index = [], 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            token.type == tokenize.NUMBER
            and following is not None
            and following.type == tokenize.NAME
            and re.fullmatch(r"[A-Z]{3}", following.string)
        ):
            out.append(f'{_MONEY_CALL}("{token.string}", "{following.string}")')
            index += 2
            continue
        out.append(token.string)
        index += 1
    return " ".join(part for part in out if part.strip())


def _condition(node, names: set, constants: list) -> None:
    """A part that must be true or false itself: a yes/no fact, a comparison, and/or/not."""
    if _check(node, names, constants) != BOOL:
        raise RuleError(NOT_A_CONDITION % {"part": _part(node)})


_OPERATORS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)


def _check(node, names: set, constants: list) -> str:
    """Refuse what the language does not have; return the node's type (BOOL, TEXT, ...)."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _condition(value, names, constants)
        return BOOL
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _condition(node.operand, names, constants)
        return BOOL
    if isinstance(node, ast.Name):
        if node.id not in FACTS:
            facts = ", ".join(sorted(FACTS))
            raise RuleError(UNKNOWN_FACT % {"name": node.id, "facts": facts})
        names.add(node.id)
        return FACTS[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        if isinstance(node.value, float):
            node.value = Decimal(str(node.value))
        constants.append(node.value)
        if isinstance(node.value, bool):
            return BOOL
        return TEXT if isinstance(node.value, str) else NUMBER
    if _is_money(node):
        value = _money_of(node)
        constants.append(value)
        return MONEY
    if isinstance(node, ast.Compare):
        if not all(isinstance(op, _OPERATORS) for op in node.ops):
            raise RuleError(NOT_ALLOWED % {"part": _part(node)})
        left = node.left
        left_type = _check(left, names, constants)
        for op, right in zip(node.ops, node.comparators, strict=True):
            right_type = _check(right, names, constants)
            _compatible(left, left_type, op, right, right_type)
            left, left_type = right, right_type
        return BOOL
    raise RuleError(NOT_ALLOWED % {"part": _part(node)})


def _compatible(left, left_type, op, right, right_type) -> None:
    if isinstance(op, ast.In | ast.NotIn):
        if left_type == TEXT and right_type == TEXTS:
            return
        raise RuleError(NOT_ALLOWED % {"part": _part(left) + " in " + _part(right)})
    if MONEY in (left_type, right_type) and NUMBER in (left_type, right_type):
        name = left if left_type == MONEY else right
        raise RuleError(MONEY_NUMBER % {"name": _part(name)})
    if left_type != right_type or left_type == TEXTS:
        fact, other = (left, right) if isinstance(left, ast.Name) else (right, left)
        raise RuleError(WRONG_TYPE % {"name": _part(fact), "value": _part(other)})
    if left_type in (TEXT, BOOL) and not isinstance(op, ast.Eq | ast.NotEq):
        raise RuleError(WRONG_TYPE % {"name": _part(left), "value": _part(right)})


def _is_money(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == _MONEY_CALL
        and len(node.args) == 2
        and not node.keywords
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
    )


def _money_of(node) -> Money:
    text, currency = (a.value for a in node.args)
    try:
        return Money(amount=Decimal(text), currency=currency)
    except InvalidOperation:
        raise RuleError(BAD_AMOUNT % {"text": text}) from None


def _part(node) -> str:
    if _is_money(node):
        value = _money_of(node)
        return f"{value.amount} {value.currency}"
    return ast.unparse(node)


class MismatchedCurrency(ValueError):
    """A money fact compared with an amount in another currency: the rule does not decide."""


def _evaluate(node, facts: dict):
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_evaluate(value, facts) for value in node.values)
        return any(_evaluate(value, facts) for value in node.values)
    if isinstance(node, ast.UnaryOp):
        return not _evaluate(node.operand, facts)
    if isinstance(node, ast.Name):
        return facts[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if _is_money(node):
        return _money_of(node)
    left = _evaluate(node.left, facts)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _evaluate(right_node, facts)
        if not _compare(op, left, right):
            return False
        left = right
    return True


def _compare(op, left, right) -> bool:
    if isinstance(op, ast.In):
        return left.lower() in right
    if isinstance(op, ast.NotIn):
        return left.lower() not in right
    if isinstance(left, Money):
        if left.currency != right.currency:
            raise MismatchedCurrency(f"{left.currency} / {right.currency}")
        left, right = left.amount, right.amount
    if isinstance(left, str):
        left, right = left.lower(), right.lower()
    return {
        ast.Eq: lambda: left == right,
        ast.NotEq: lambda: left != right,
        ast.Lt: lambda: left < right,
        ast.LtE: lambda: left <= right,
        ast.Gt: lambda: left > right,
        ast.GtE: lambda: left >= right,
    }[type(op)]()
