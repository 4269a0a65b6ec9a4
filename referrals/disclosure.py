"""Statistical disclosure control: no published count lets anyone single out a person.

Cells below k are suppressed (primary suppression). A count that is published together with the
sum it belongs to (a margin, or the total) would let a lone suppressed cell be recomputed by
subtraction, so wherever a published sum has exactly one suppressed part, a second part is
suppressed too, or the sum itself when there is no other (secondary suppression), until no sum
has exactly one hidden part. The same holds one level up: margins of a dimension sum to the total.
"""

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Item:
    count: int
    suppressed: bool = False


@dataclass
class Table:
    dimensions: list[str]
    cells: dict[tuple, Item]
    margins: dict[str, dict[object, Item]] = field(default_factory=dict)
    total: Item | None = None

    def lines(self) -> list[tuple[Item | None, list[Item]]]:
        """Every published sum with the items it adds up: (sum, parts)."""
        lines = []
        if self.total is not None:
            lines.append((self.total, list(self.cells.values())))
            for margin in self.margins.values():
                lines.append((self.total, list(margin.values())))
        for index, name in enumerate(self.dimensions):
            margin = self.margins.get(name)
            if margin is None:
                continue
            parts = defaultdict(list)
            for key, item in self.cells.items():
                parts[key[index]].append(item)
            for value, items in parts.items():
                lines.append((margin.get(value), items))
        return lines


def suppress(table: Table, k: int) -> Table:
    for item in _all_items(table):
        if item.count < k:
            item.suppressed = True
    changed = True
    while changed:
        changed = False
        for total, parts in table.lines():
            if total is None or total.suppressed:
                continue
            hidden = [part for part in parts if part.suppressed]
            if len(hidden) != 1:
                continue
            visible = sorted((part for part in parts if not part.suppressed), key=lambda part: part.count)
            (visible[0] if visible else total).suppressed = True
            changed = True
    return table


def _all_items(table: Table):
    yield from table.cells.values()
    for margin in table.margins.values():
        yield from margin.values()
    if table.total is not None:
        yield table.total


def recoverable_cells(table: Table) -> list:
    """Suppressed items that a published sum pins down exactly (used by tests and as a last check)."""
    found = []
    for total, parts in table.lines():
        if total is not None and not total.suppressed:
            hidden = [part for part in parts if part.suppressed]
            if len(hidden) == 1:
                found.append(hidden[0])
    return found
