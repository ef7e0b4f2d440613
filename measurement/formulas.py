"""Formulas of calculated measures: `100 * employed / graduates`, `1000 * cases / population`.

A formula is arithmetic over the initiative's measures, referenced by code: + - * /, parentheses,
numeric constants and four functions a rate needs: min(a, b, …), max(a, b, …), abs(x), round(x)
or round(x, places) (half away from zero, as the aggregates round).

Parsed by a small parser of our own, never `eval`: measure codes are slugs (`k-ready`), which
Python's grammar (and so `ast`) reads as a subtraction. A code is a run of letters, digits, `-`
and `_` starting with a letter, so a subtraction between two codes needs spaces (`a - b`); an
unknown code that contains a hyphen says so. Every error carries its position (1-based column).

Pure functions over plain data: the service validates with them when a measure is saved, the
aggregation evaluates with them (`aggregation.rules.calculate_measure`), the measure page renders
with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ci_platform.i18n_format import isolate

from .choices import Gap

MAX_LENGTH = 500
MAX_DEPTH = 40  # nesting of parentheses and functions: deep enough for any rate, no recursion limit
FUNCTIONS = {"min": (2, 20), "max": (2, 20), "abs": (1, 1), "round": (1, 2)}
# What the aggregate table holds (26 digits, 6 after the point): a larger result is a gap.
LIMIT = Decimal(10) ** 20
PLACES = Decimal("0.000001")

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_-]*)|(?P<op>[-+*/(),]))"
)


class FormulaError(ValueError):
    """A formula that cannot be read, with where (column, 1-based; None: the formula as a whole)."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message, self.column = message, column

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        return _("%(message)s (at character %(column)s)") % {"message": self.message, "column": self.column}


class EvaluationGap(ArithmeticError):
    """The formula has no value for these inputs; `reason` is one of Aggregate's gap codes."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Gap codes stored with an aggregate that has no value (Aggregate.gap, choices.Gap).
GAP_DIVISION_BY_ZERO = Gap.DIVISION_BY_ZERO.value
GAP_INPUT = Gap.INPUT_MISSING.value
GAP_TOO_LARGE = Gap.TOO_LARGE.value


def _ltr(text: str) -> str:
    """A code, symbol or example inside a sentence: isolated left to right (in Hebrew too)."""
    return isolate(text, direction="ltr")


# --- The tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str
    column: int


@dataclass(frozen=True)
class Negate:
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, op, end
    text: str
    column: int  # 1-based


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            column = position + len(stripped[position:]) - len(stripped[position:].lstrip()) + 1
            raise FormulaError(
                _("“%(char)s” cannot be used in a formula.") % {"char": _ltr(stripped[column - 1])}, column
            )
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    tokens.append(Token("end", "", len(stripped) + 1))
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.i, self.depth = tokens, 0, 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        if self.token.text != text or self.token.kind != "op":
            raise self.unexpected(_("“%(text)s” expected") % {"text": _ltr(text)})
        self.take()

    def unexpected(self, expected: str | None = None) -> FormulaError:
        token = self.token
        if token.kind == "end":
            message = _("The formula ends too early.")
        else:
            message = _("Unexpected “%(text)s”.") % {"text": _ltr(token.text)}
        if expected:
            message = f"{message} {expected}."
        return FormulaError(message, token.column)

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(_("The formula is nested too deeply."), self.token.column)
        node = self.term()
        while self.token.kind == "op" and self.token.text in "+-":
            op = self.take().text
            node = Binary(op, node, self.term())
        self.depth -= 1
        return node

    def term(self):
        node = self.factor()
        while self.token.kind == "op" and self.token.text in "*/":
            op = self.take().text
            node = Binary(op, node, self.factor())
        return node

    def factor(self):
        token = self.token
        if token.kind == "op" and token.text in "+-":
            self.take()
            operand = self.factor()
            return Negate(operand) if token.text == "-" else operand
        if token.kind == "number":
            self.take()
            return Number(Decimal(token.text))
        if token.kind == "op" and token.text == "(":
            self.take()
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "name":
            self.take()
            if self.token.kind == "op" and self.token.text == "(":
                return self.call(token)
            return Ref(token.text, token.column)
        raise self.unexpected(_("A number, a measure code or “(” expected"))

    def call(self, name: Token):
        function = name.text.lower()
        if function not in FUNCTIONS:
            raise FormulaError(
                _("Unknown function “%(name)s”; a formula may use %(functions)s.")
                % {"name": _ltr(name.text), "functions": _ltr(", ".join(FUNCTIONS))},
                name.column,
            )
        self.expect("(")
        args = [self.expression()]
        while self.token.kind == "op" and self.token.text == ",":
            self.take()
            args.append(self.expression())
        self.expect(")")
        low, high = FUNCTIONS[function]
        if not low <= len(args) <= high:
            raise FormulaError(
                _("%(name)s takes %(low)s to %(high)s values.")
                % {"name": _ltr(function), "low": low, "high": high}
                if low != high
                else _("%(name)s takes one value.") % {"name": _ltr(function)},
                name.column,
            )
        if function == "round" and len(args) == 2:
            places = args[1]
            if not (
                isinstance(places, Number)
                and places.value == places.value.to_integral()
                and places.value <= 6
            ):
                raise FormulaError(
                    _("The second value of %(name)s is a whole number of places from 0 to 6.")
                    % {"name": _ltr("round")},
                    name.column,
                )
        return Call(function, tuple(args))


def parse(text: str):
    """The formula's tree, or FormulaError with where it went wrong."""
    if not text or not text.strip():
        raise FormulaError(_("Write a formula."))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("A formula is at most %(n)s characters.") % {"n": MAX_LENGTH})
    parser = _Parser(tokenize(text))
    tree = parser.expression()
    if parser.token.kind != "end":
        raise parser.unexpected(_("An operator expected") if parser.token.kind != "op" else None)
    if not references(tree):
        raise FormulaError(_("A formula uses at least one measure."))
    return tree


def references(tree) -> list[str]:
    """The codes the formula uses, in order of first use."""
    found: dict[str, None] = {}

    def walk(node):
        if isinstance(node, Ref):
            found.setdefault(node.code, None)
        elif isinstance(node, Negate):
            walk(node.operand)
        elif isinstance(node, Binary):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, Call):
            for arg in node.args:
                walk(arg)

    walk(tree)
    return list(found)


def ref_columns(tree) -> dict[str, int]:
    """Where each code is first used (for messages)."""
    columns: dict[str, int] = {}

    def walk(node):
        if isinstance(node, Ref):
            columns.setdefault(node.code, node.column)
        for child in (
            [node.operand]
            if isinstance(node, Negate)
            else [node.left, node.right]
            if isinstance(node, Binary)
            else list(node.args)
            if isinstance(node, Call)
            else []
        ):
            walk(child)

    walk(tree)
    return columns


def evaluate(tree, values: dict[str, Decimal | None]) -> Decimal:
    """The formula's value for these inputs (code -> value), rounded as aggregates are; raises
    EvaluationGap (division by zero, a missing input, a result too large to store)."""
    try:
        result = _eval(tree, values)
    except (InvalidOperation, OverflowError) as exc:
        raise EvaluationGap(GAP_TOO_LARGE) from exc
    if abs(result) >= LIMIT:
        raise EvaluationGap(GAP_TOO_LARGE)
    return result.quantize(PLACES, rounding=ROUND_HALF_UP)


def _eval(node, values) -> Decimal:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        value = values.get(node.code)
        if value is None:
            raise EvaluationGap(GAP_INPUT)
        return value
    if isinstance(node, Negate):
        return -_eval(node.operand, values)
    if isinstance(node, Binary):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise EvaluationGap(GAP_DIVISION_BY_ZERO)
        return left / right
    args = [_eval(a, values) for a in node.args]
    if node.function == "min":
        return min(args)
    if node.function == "max":
        return max(args)
    if node.function == "abs":
        return abs(args[0])
    places = int(args[1]) if len(args) == 2 else 0
    return args[0].quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- Shown to people -----------------------------------------------------------------------------

SYMBOLS = {"*": "×", "/": "÷", "-": "−"}


def display_parts(text: str, names: dict[str, str]) -> list[tuple[str, str]]:
    """The formula as (kind, text) parts for a page: ("measure", its name) for a code, ("symbol",
    text) for the rest, with × ÷ − for * / -. Codes not in `names` stay as written."""
    parts: list[tuple[str, str]] = []
    for token in tokenize(text)[:-1]:
        if token.kind == "name" and token.text.lower() not in FUNCTIONS:
            parts.append(("measure", names.get(token.text, token.text)))
        else:
            parts.append(("symbol", SYMBOLS.get(token.text, token.text)))
    return parts


# --- Checked against the initiative ---------------------------------------------------------------


@dataclass(frozen=True)
class MeasureShape:
    """What a formula needs to know of a measure it uses."""

    code: str
    name: str
    frequency: str
    dimensions: tuple[int, ...]  # dimension ids, in position order
    references: tuple[str, ...] = ()  # a calculated measure's inputs (empty: entered)


def check(code: str, frequency: str, tree, measures: dict[str, MeasureShape]) -> tuple[int, ...]:
    """Check a formula for the measure `code` against the initiative's measures (by code, the
    measure itself excluded or as stored): unknown codes, itself, cycles through other calculated
    measures, inputs of another frequency, breakdowns that do not match. Returns the breakdown the
    calculated measure takes (its inputs' common one; none if an input has none, as only totals
    are then shared). Raises FormulaError."""
    import networkx as nx

    columns = ref_columns(tree)
    for ref, column in columns.items():
        if ref == code:
            raise FormulaError(_("A measure cannot be calculated from itself."), column)
        if ref not in measures:
            hint = (
                " "
                + _("To subtract, put spaces around the minus sign: %(example)s.")
                % {"example": _ltr("a - b")}
                if "-" in ref.strip("-")
                else ""
            )
            raise FormulaError(
                _("There is no measure with the code “%(code)s”.") % {"code": _ltr(ref)} + hint, column
            )
    graph = nx.DiGraph()
    for shape in measures.values():
        if shape.code != code:
            graph.add_edges_from((ref, shape.code) for ref in shape.references)
    graph.add_edges_from((ref, code) for ref in columns)
    try:
        cycle = nx.find_cycle(graph, source=code)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        path = [edge[0] for edge in cycle] + [cycle[-1][1]]
        raise FormulaError(
            _("The formula goes round in a circle: %(path)s.") % {"path": _ltr(" → ".join(path))},
            next((columns[u] for u, v, *_ in cycle if v == code and u in columns), None),
        )
    inputs = [measures[ref] for ref in columns]
    for shape in inputs:
        if shape.frequency != frequency:
            raise FormulaError(
                _(
                    "“%(code)s” is reported %(other)s, this measure %(own)s: a formula combines measures of the same periods."
                )
                % {
                    "code": _ltr(shape.code),
                    "other": _frequency_label(shape.frequency),
                    "own": _frequency_label(frequency),
                },
                columns[shape.code],
            )
    broken_down = [shape for shape in inputs if shape.dimensions]
    for shape in broken_down[1:]:
        if shape.dimensions != broken_down[0].dimensions:
            raise FormulaError(
                _(
                    "“%(a)s” and “%(b)s” are broken down differently: a formula combines measures with the same breakdown (or none)."
                )
                % {"a": _ltr(broken_down[0].code), "b": _ltr(shape.code)},
                columns[shape.code],
            )
    if len(broken_down) < len(inputs):
        return ()
    return broken_down[0].dimensions if broken_down else ()


def _frequency_label(frequency: str) -> str:
    from .choices import Frequency

    return str(Frequency(frequency).label).lower() if frequency in Frequency.values else frequency


def evaluation_order(formulas: dict[str, list[str]]) -> list[str]:
    """Calculated measures (code -> the codes it uses) in an order where every input comes first."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(formulas)
    graph.add_edges_from((ref, code) for code, refs in formulas.items() for ref in refs)
    return [code for code in nx.lexicographical_topological_sort(graph) if code in formulas]
