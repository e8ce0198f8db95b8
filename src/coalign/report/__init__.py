"""Self-contained HTML reports assembled from sections contributed by every part of coalign."""

from coalign.report.html import (
    Figure,
    Paragraph,
    RawHtml,
    Section,
    Table,
    rate_table,
    render_html,
    write_report,
)

__all__ = [
    "Figure",
    "Paragraph",
    "RawHtml",
    "Section",
    "Table",
    "rate_table",
    "render_html",
    "write_report",
]
