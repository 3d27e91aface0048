"""The answer as text for the terminal."""

from __future__ import annotations


def as_text(answer: dict, *, explain: bool = False) -> str:
    lines = [f"Question: {answer['question']}"]
    status = answer["status"]
    if status == "answered":
        lines.append(f"Understood: {answer['summary']}")
    matched = [f"“{m['text']}” → {m['concept']}" + (f" ({m['label']})" if m.get("label") else "")
               for m in answer["matches"] if not str(m["concept"]).startswith("structure:")]
    if matched:
        lines.append("Matched: " + "; ".join(matched))
    if answer["ignored"]:
        lines.append("Ignored: " + ", ".join(answer["ignored"]))
    if answer["message"]:
        lines.append(("Declined: " if status == "declined" else "") + answer["message"])
    for number, option in enumerate(answer["options"], start=1):
        lines.append(f"  {number}. {option['label']}  — ask: {option['question']}")
    if status == "answered":
        lines.append("")
        lines.extend(_table(answer["rows"]))
        if answer.get("comparison_rows"):
            lines.append("")
            lines.append(f"Compared with {answer['interpretation']['compare']['label']}:")
            lines.extend(_table(answer["comparison_rows"]))
    if explain:
        lines.append("")
        lines.append("Candidate readings:")
        if not answer["alternatives"]:
            lines.append("  every phrase had one meaning")
        for phrase in answer["alternatives"]:
            if "readings" in phrase:
                for reading in phrase["readings"]:
                    lines.append(f"  score {reading['score']}: " + "; ".join(reading["reading"]))
                continue
            lines.append(f"  “{phrase['text']}” → chosen {phrase['chosen'] or 'none (asked)'}"
                         + (f" — {phrase['why']}" if phrase["why"] else ""))
            for candidate in phrase["candidates"]:
                lines.append(f"      {candidate['priority']:>4}  {candidate['concept']}  ({candidate['source']})")
        if "timing_ms" in answer:
            timing = answer["timing_ms"]
            lines.append(f"Timing: resolve {timing['resolve']} ms, total {timing['total']} ms")
    return "\n".join(lines) + "\n"


def _table(rows: list[dict]) -> list[str]:
    if not rows:
        return ["(no rows)"]
    table = [("KPI", "period", "group", "value", "note")]
    for row in rows:
        table.append((row["kpi"], row["period"], row["group_label"] or row["group"] or "", row["display"],
                      " ".join(row["flags"]) or (row["reason"] or "")))
    widths = [max(len(str(r[i])) for r in table) for i in range(5)]
    return ["  ".join(str(cell).ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip() for r in table]
