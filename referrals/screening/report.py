"""Recall per kind and the false-positive rate of screening over the corpus in ``corpus/``.

    python manage.py screening_report        (or: python -m referrals.screening.report)
"""

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


@dataclass
class Report:
    total: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # refused at all
    named: Counter = field(default_factory=Counter)  # refused, naming the kind of the corpus row
    missed: list[tuple[str, str]] = field(default_factory=list)
    harmless: int = 0
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    milliseconds_per_5000_chars: float = 0.0

    def recall(self, kind: str) -> float:
        return self.refused[kind] / self.total[kind]

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.harmless

    def lines(self, verbose: bool = False) -> list[str]:
        out = [f"{'kind':<18}{'strings':>8}{'refused':>9}{'recall':>9}{'kind named':>12}"]
        for kind in sorted(self.total):
            out.append(
                f"{kind:<18}{self.total[kind]:>8}{self.refused[kind]:>9}{self.recall(kind):>9.1%}"
                f"{self.named[kind] / self.total[kind]:>12.1%}"
            )
        total, refused = sum(self.total.values()), sum(self.refused.values())
        out.append(f"{'all':<18}{total:>8}{refused:>9}{refused / total:>9.1%}")
        out.append(
            f"harmless notes: {self.harmless}, refused: {len(self.false_positives)}, "
            f"false-positive rate {self.false_positive_rate:.2%}"
        )
        out.append(f"a note of 5,000 characters screens in {self.milliseconds_per_5000_chars:.1f} ms (best of 20)")
        if verbose:
            out += [f"MISSED {kind}: {text}" for kind, text in self.missed]
            out += [f"FALSE POSITIVE ({kind}): {text}" for kind, text in self.false_positives]
        return out


def personal() -> list[tuple[str, str]]:
    with open(CORPUS / "personal.tsv", encoding="utf-8", newline="") as f:
        return [(row["kind"], row["text"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def harmless() -> list[str]:
    return [line for line in (CORPUS / "harmless.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def time_long_note(notes: list[str]) -> float:
    from . import find_personal_data

    note = " ".join(notes)
    while len(note) < 5000:
        note += " " + note
    note = note[:5000]
    find_personal_data(note)
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        find_personal_data(note)
        timings.append(time.perf_counter() - start)
    return min(timings) * 1000


def run() -> Report:
    from . import find_personal_data

    report = Report()
    for kind, text in personal():
        report.total[kind] += 1
        found = find_personal_data(text)
        if found:
            report.refused[kind] += 1
            report.named[kind] += found == kind
        else:
            report.missed.append((kind, text))
    notes = harmless()
    report.harmless = len(notes)
    for text in notes:
        found = find_personal_data(text)
        if found:
            report.false_positives.append((found, text))
    report.milliseconds_per_5000_chars = time_long_note(notes)
    return report


if __name__ == "__main__":
    import sys

    print("\n".join(run().lines(verbose="-v" in sys.argv)))
