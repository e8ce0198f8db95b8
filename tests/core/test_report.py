from pathlib import Path

import plotly.graph_objects as go

from coalign.report import Figure, Paragraph, Section, Table, rate_table, write_report
from coalign.stats import Rate


def test_report_is_self_contained_and_escapes(tmp_path):
    sec = Section(
        "Results <1>",
        [
            Paragraph("first\n\nsecond <b>"),
            rate_table({"chemistry": Rate(3, 10)}, "discipline"),
            Table([{"a": 1.23456}], caption="cap"),
            Figure(go.Figure(go.Bar(x=["a"], y=[1])), caption="bars"),
            Figure(go.Figure(go.Bar(x=["b"], y=[2]))),
        ],
        children=[Section("Child")],
        notice="automated reviewer",
    )
    out = write_report(tmp_path / "r.html", "Demo", [sec], notice="top notice")
    text = Path(out).read_text(encoding="utf-8")
    assert "Results &lt;1&gt;" in text and "second &lt;b&gt;" in text
    assert "30.0% [" in text and "(3/10)" in text
    # plotly.js inlined exactly once, no CDN reference
    assert text.count("plotly.js v") == 1 and "<script src=" not in text
    assert text.index("top notice") < text.index("<h1>")
    assert "<h3" in text
