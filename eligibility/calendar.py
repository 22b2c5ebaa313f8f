"""Deadlines as an iCalendar (.ics) file, RFC 5545: all-day events with a reminder a week before."""

import re
from datetime import UTC, datetime, timedelta

from .engine.format import jdate

# Every line break (CR LF, a lone CR or LF, and Unicode's) and other control characters, which
# RFC 5545 does not allow in a TEXT value: a line break must become \n, or it ends the line.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _escape(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, each line
    break written as \\n, other control characters left out."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _LINE_BREAK.sub(r"\\n", value))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 75:
            out.append(current.decode("utf-8"))
            current = b" "
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def deadlines_ics(result) -> str:
    programme = result.rules.programme
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//hojokin-navi//deadlines//JA",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(programme + ' 申請締切')}",
    ]
    for frame, round_ in result.upcoming_deadlines:
        summary = f"【申請締切】{frame.name} 第{round_.number}次（{programme}）"
        description = (
            f"{frame.name}の第{round_.number}次申請締切日は{jdate(round_.closes_on)}です。"
            "申請は事務局に登録されたIT導入支援事業者を通じて行います。"
            f"出典：{round_.source}"
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(f'{result.rules.label}-{frame.code}-{round_.number}@hojokin-navi')}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{round_.closes_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{round_.closes_on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(description)}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "TRIGGER:-P7D",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_escape('1週間後が申請締切です：' + frame.name)}",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
