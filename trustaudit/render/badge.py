"""A shields.io-style badge (``-o badge.svg``): "trust | 87 B", coloured by grade, for a README or a dashboard.

The "flat" style of shields.io: two rounded boxes, the label on grey and the value on the grade's colour, text
in Verdana 11 px with a 1 px shadow. Widths come from Verdana's advance widths (as shields.io measures text),
so the badge fits its text without a browser. An inconclusive report (no score) shows "inconclusive" on grey:
it is never coloured as a pass or a fail. The SVG holds only text we write (score, grade): nothing from the page.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from trustaudit.models import Report

LABEL = "trust"
GRADE_COLOURS = {
    "A": "#4c1",  # shields "brightgreen"
    "B": "#97ca00",  # green
    "C": "#a4a61d",  # yellowgreen
    "D": "#dfb317",  # yellow
    "E": "#fe7d37",  # orange
    "F": "#e05d44",  # red
}
NO_GRADE = "#9f9f9f"  # lightgrey
LABEL_COLOUR = "#555"
PADDING = 6  # px either side of each text

# Verdana 11 px advance widths (px) of the characters a badge can hold; others count as a wide letter.
_WIDTHS = {
    " ": 3.87, "-": 4.79, ".": 3.87, "/": 4.79, ":": 4.57, "|": 4.87,
    **dict.fromkeys("0123456789", 7.0),
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (6.61, 6.86, 5.72, 6.86, 6.56, 3.87, 6.86, 6.96, 3.01, 3.78, 6.5, 3.01, 10.69, 6.96, 6.67, 6.86,
                6.86, 4.69, 5.72, 4.33, 6.96, 6.5, 8.95, 6.5, 6.5, 5.75), strict=True)),
    **dict(zip("ABCDEF", (7.52, 7.57, 7.67, 8.48, 6.98, 6.32), strict=True)),
}


def text_width(text: str) -> float:
    return sum(_WIDTHS.get(ch, 8.0) for ch in text)


def badge_parts(report: Report) -> tuple[str, str, str]:
    """(label, value, colour) of the report's badge."""
    if report.score is None or not report.grade:
        return LABEL, "inconclusive", NO_GRADE
    grade = str(report.grade)[:1].upper()
    return LABEL, f"{int(report.score)} {grade}", GRADE_COLOURS.get(grade, NO_GRADE)


def svg(label: str, value: str, colour: str) -> str:
    lw = round(text_width(label) + 2 * PADDING)
    vw = round(text_width(value) + 2 * PADDING)
    w = lw + vw
    title = f"{label}: {value}"
    vx = (lw + vw / 2) * 10  # text is drawn at 10x scale, as shields.io does, for sub-pixel centring
    lx = round(lw / 2 * 10)
    vx = round(vx)
    ltl, vtl = round(text_width(label) * 10), round(text_width(value) * 10)
    t_label, t_value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
        f'<rect width="{w}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">'
        f'<text aria-hidden="true" x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
        f'textLength="{ltl}">{t_label}</text>'
        f'<text x="{lx}" y="140" transform="scale(.1)" fill="#fff" textLength="{ltl}">{t_label}</text>'
        f'<text aria-hidden="true" x="{vx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" '
        f'textLength="{vtl}">{t_value}</text>'
        f'<text x="{vx}" y="140" transform="scale(.1)" fill="#fff" textLength="{vtl}">{t_value}</text>'
        "</g></svg>\n"
    )


def render(report: Report, lang: str | None = None) -> str:
    return svg(*badge_parts(report))
