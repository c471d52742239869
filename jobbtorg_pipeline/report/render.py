"""The report as a self-contained HTML page (no CDN, charts as inline SVG) and as an Excel workbook.

Both are deterministic: the same tables give the same bytes (no clock, no random ids; the workbook's
creation time is the uttagsdatum), so a frozen tertial can be rebuilt byte for byte.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from pathlib import Path
from typing import Any

from jobbtorg_pipeline.report.disclosure import HIDDEN, MARKS, NOT_YET
from jobbtorg_pipeline.report.tabell import Chart, ReportTable

CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2rem auto;max-width:70rem;color:#1d1d1b;line-height:1.4}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:2px solid #0058a3}
.meta{color:#555}.fraga{font-style:italic;color:#333}table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .55rem}th{background:#eef3f8;text-align:left}
td.tal{text-align:right;font-variant-numeric:tabular-nums}tr.totalt td{font-weight:bold;background:#f7f7f7}
details{margin:.4rem 0 1rem}summary{cursor:pointer;color:#0058a3}.not{font-size:.85rem;color:#555}
svg.diagram{display:block;margin:.5rem 0}nav ol{columns:2}
"""


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return ""
    if value in MARKS:
        return str(value)
    if unit == "andel":
        return f"{100 * float(value):.0f} %".replace(".", ",")
    if unit == "procent":
        return f"{float(value):+.1f}".replace(".", ",")
    if unit in ("sek",):
        return f"{float(value):,.0f}".replace(",", "\u00a0")
    if unit in ("dagar", "platser"):
        return f"{float(value):.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u00a0")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _chart(table: ReportTable, chart: Chart) -> str:
    """A horizontal bar chart of one column, as inline SVG: a hidden value is drawn as `..`, an empty
    one (a share of nobody) as nothing."""
    grid = table.grid
    values = [(row, grid.value(row, chart.column)) for row in chart.rows]
    numbers = [float(v) for _, v in values if _number(v)]
    top = max(numbers, default=0.0) or 1.0
    if chart.unit == "andel":
        top = max(top, 1.0)
    height = 26 * len(values) + 30
    caption = html.escape(f"Diagram: {table.labels[chart.column]}")
    parts = [
        f'<p class="not">{caption}</p>'
        f'<svg class="diagram" role="img" width="640" height="{height}" viewBox="0 0 640 {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{caption}</title>'
    ]
    for i, (row, value) in enumerate(values):
        y = 10 + 26 * i
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(table.row_label(row))}</text>')
        if _number(value):
            width = 380 * float(value) / top
            parts.append(f'<rect x="200" y="{y}" width="{width:.1f}" height="18" fill="#0058a3"/>')
            label = _fmt(value, table.units[chart.column])
            parts.append(
                f'<text x="{205 + width:.1f}" y="{y + 14}" font-size="12">{html.escape(label)}</text>'
            )
        elif value in MARKS:
            parts.append(f'<text x="205" y="{y + 14}" font-size="12">{html.escape(str(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table_html(table: ReportTable) -> str:
    grid = table.grid
    if not grid.rows:
        return '<p class="not">Inga rader att redovisa för perioden.</p>'
    head = "".join(f"<th>{html.escape(table.labels[c])}</th>" for c in grid.columns)
    body = []
    for row in grid.rows:
        cells = "".join(
            f'<td class="tal">{html.escape(_fmt(grid.value(row, c), table.units[c]))}</td>'
            for c in grid.columns
        )
        css = ' class="totalt"' if row in grid.total_rows else ""
        body.append(f"<tr{css}><th>{html.escape(table.row_label(row))}</th>{cells}</tr>")
    return (
        f'<table id="tabell-{table.id}"><thead><tr><th>{html.escape(table.row_header)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render_html(tables: list[ReportTable], about: dict[str, str], threshold: int) -> str:
    toc = "".join(f'<li><a href="#{t.id}">{html.escape(t.title)}</a></li>' for t in tables)
    sections = []
    for t in tables:
        chart = _chart(t, t.chart) if t.chart and t.grid.rows else ""
        sections.append(
            f'<section id="{t.id}"><h2>{html.escape(t.title)}</h2><p class="fraga">{html.escape(t.question)}</p>'
            f"{chart}{_table_html(t)}<details><summary>Definition</summary><p>{html.escape(t.definition)}</p>"
            f'<p class="not">Källa: tabellen marts.{html.escape(t.source)} i analysfilen.</p></details></section>'
        )
    meta = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in about.items())
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>Jobbtorg Stockholm: tertialrapport {html.escape(about['Period'])}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<h1>Jobbtorg Stockholm: uppföljning {html.escape(about['Period'])}</h1>"
        f'<ul class="meta">{meta}</ul>'
        f'<p class="not">{html.escape(disclosure_rule(threshold))} '
        "Rapporten innehåller inga uppgifter om enskilda personer.</p>"
        f"<nav><h2>Innehåll</h2><ol>{toc}</ol></nav>{''.join(sections)}</body></html>\n"
    )


def render_excel(
    tables: list[ReportTable], about: dict[str, str], threshold: int, path: Path, created: dt.date
) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {"title": f"Jobbtorg Stockholm {about['Period']}", "created": dt.datetime.combine(created, dt.time())}
    )
    bold = workbook.add_format({"bold": True})
    share = workbook.add_format({"num_format": "0%"})
    number = workbook.add_format({"num_format": "#,##0"})
    decimal = workbook.add_format({"num_format": "0.0"})
    contents = workbook.add_worksheet("Innehåll")
    contents.write(0, 0, f"Jobbtorg Stockholm: uppföljning {about['Period']}", bold)
    for i, (key, value) in enumerate(about.items(), start=2):
        contents.write(i, 0, key)
        contents.write(i, 1, value)
    start = len(about) + 3
    contents.write(start, 0, "Flik", bold)
    contents.write(start, 1, "Tabell", bold)
    for i, t in enumerate(tables, start=start + 1):
        contents.write(i, 0, _sheet_name(t))
        contents.write(i, 1, t.title)
    contents.set_column(0, 0, 28)
    contents.set_column(1, 1, 70)
    for t in tables:
        sheet = workbook.add_worksheet(_sheet_name(t))
        sheet.write(0, 0, t.title, bold)
        sheet.write(1, 0, t.question)
        sheet.write(3, 0, t.row_header, bold)
        for j, column in enumerate(t.grid.columns, start=1):
            sheet.write(3, j, t.labels[column], bold)
        for i, row in enumerate(t.grid.rows, start=4):
            sheet.write(i, 0, t.row_label(row), bold if row in t.grid.total_rows else None)
            for j, column in enumerate(t.grid.columns, start=1):
                value = t.grid.value(row, column)
                unit = t.units[column]
                if value is None:
                    continue
                if value in MARKS:
                    sheet.write_string(i, j, str(value))
                elif unit == "andel":
                    sheet.write_number(i, j, float(value), share)
                elif unit in ("dagar", "procent", "platser"):
                    sheet.write_number(i, j, float(value), decimal)
                else:
                    sheet.write_number(i, j, float(value), number)
        sheet.write(len(t.grid.rows) + 5, 0, "Definition: " + t.definition)
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, len(t.grid.columns), 16)
    definitions = workbook.add_worksheet("Definitioner")
    definitions.write(0, 0, "Tabell", bold)
    definitions.write(0, 1, "Definition", bold)
    for i, t in enumerate(tables, start=1):
        definitions.write(i, 0, t.title)
        definitions.write(i, 1, t.definition)
    rule = len(tables) + 3
    definitions.write(rule, 0, "Röjandekontroll", bold)
    definitions.write(rule, 1, disclosure_rule(threshold))
    definitions.set_column(0, 0, 40)
    definitions.set_column(1, 1, 120)
    workbook.close()


def disclosure_rule(threshold: int) -> str:
    """The suppression rule in the reader's words (the HTML page and the workbook's definitions)."""
    return (
        f"Tal från 1 till {threshold - 1} redovisas inte (visas som {HIDDEN}). Andelar, medelvärden och "
        f"medianer visas inte när de bygger på ett dolt tal eller på färre än {threshold} personer. Samma "
        "uppgift döljs i alla tabeller där den förekommer, och ytterligare tal döljs där ett dolt tal annars "
        "skulle kunna räknas fram eller ringas in ur rapportens övriga tal, summor och samband, också mellan "
        f"tabeller: inget tal från 1 till {threshold - 1} kan avgränsas snävare än att det kan vara 0 och minst "
        f"{threshold}. De tal som döljs för att skydda ett litet tal väljs så att så få som möjligt döljs, "
        "och en summa bara när inget annat räcker. Kolumner märkta med en period ett år tidigare skyddas "
        f"tillsammans med årets. {NOT_YET.capitalize()}: uppföljningen kan inte göras än (månaden har inte "
        "kommit, eller dess utbetalningar är inte levererade)."
    )


def _sheet_name(table: ReportTable) -> str:
    return table.id[:31]
