"""Finding a figure in the results and writing it into a table."""


def ms(value) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}x"


def number(value) -> str:
    return "-" if value is None else f"{value:,}"


def met(figure) -> str:
    if figure.get("met") is None:
        return ""
    return "met" if figure["met"] else "**not met**"


def find(size: dict, section: str, fragment: str, key: str | None = None) -> dict | None:
    """The first figure of a suite (and, for the list, of one account) whose name holds `fragment`."""
    block = size.get("suites", {}).get(section)
    if not block:
        return None
    if key is not None:
        block = block.get(key) or {}
    for figure in block.get("figures", []):
        if fragment in figure["name"]:
            return figure
    return None


def figure_table(figures: list[dict]) -> list[str]:
    lines = ["| figure | median | baseline | ratio | target |", "| --- | ---: | --- | ---: | --- |"]
    for figure in figures:
        unit = "" if figure["unit"] == "ms" else f" {figure['unit']}"
        value = f"{figure['value']:,.1f}{unit}" if figure["unit"] != "ms" else f"{ms(figure['value'])} ms"
        target = f"{figure['target']} {met(figure)}" if figure.get("target") else ""
        lines.append(f"| {figure['name']} | {value} | {figure.get('baseline_name') or ''} | "
                     f"{ratio(figure.get('ratio'))} | {target} |")
    return lines


def headline_rows(size: dict, rows) -> list[str]:
    """rows: (label, section, key, figure-name fragment)."""
    out = []
    for label, section, key, fragment in rows:
        figure = find(size, section, fragment, key)
        if figure is None:
            continue
        unit = " ms" if figure["unit"] == "ms" else f" {figure['unit']}"
        target = f"{figure['target']}: {met(figure)}" if figure.get("target") else "(reported)"
        out.append(f"| {label} | {ms(figure['value'])}{unit} | {ms(figure.get('baseline'))}{unit} "
                   f"({figure.get('baseline_name')}) | {ratio(figure.get('ratio'))} | {target} |")
    return out
