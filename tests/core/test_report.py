from pathlib import Path

import plotly.graph_objects as go
import pytest

from coalign.report import Figure, Paragraph, Section, Table, rate_table, render_html, write_report
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


def test_tables_from_records_and_frames_render_alike():
    pd = pytest.importorskip("pandas")
    records = [{"unit": "a", "score": 0.5, "n": 3}, {"unit": "b", "n": 4}]
    frame = pd.DataFrame({"score": [0.5, float("nan")], "n": [3, 4]}, index=["a", "b"])
    frame.index.name = "unit"
    from_records = render_html("t", [Section("s", [Table(records)])])
    from_frame = render_html("t", [Section("s", [Table(frame, index=True)])])

    def body(text: str) -> str:
        return text[text.index("<table>") : text.index("</table>")]

    # Columns in order of first appearance; a missing value is an empty cell.
    assert body(from_records) == body(from_frame)
    assert "<th>unit</th><th>score</th><th>n</th>" in from_records
    assert "<td>b</td><td></td><td>4</td>" in from_records
