"""Colours every widget and rich display shares, readable in JupyterLab's light and dark themes.

Text takes the theme's own colour (``--jp-content-font-color1``); coloured text (errors, statuses,
log streams) comes in two palettes, each at least WCAG AA (4.5:1) on its theme's background, the
dark one chosen by the attribute JupyterLab sets on ``<body>`` (``data-jp-theme-light="false"``);
row highlights are translucent tints, so the text over them keeps its contrast in either theme.
Exported reports carry the same ``<style>`` block, so they read as the live widgets do.
"""

from __future__ import annotations

#: Row highlights: translucent over whatever background the theme has.
TINTS = {
    "error": "rgba(244, 67, 54, 0.16)",
    "warning": "rgba(255, 152, 0, 0.18)",
    "success": "rgba(76, 175, 80, 0.16)",
    "debug": "rgba(128, 128, 128, 0.12)",
}

# (light theme, dark theme): each passes AA on white and on JupyterLab Dark's #111/#212121, tints included.
_TEXT = {
    "error": ("#b71c1c", "#ff8a80"),
    "ok": ("#1b5e20", "#a5d6a7"),
    "warning": ("#7a4a00", "#ffcc80"),
    "muted": ("#555555", "#bdbdbd"),
}
STREAMS = (
    ("#0d47a1", "#90caf9"), ("#6a1b9a", "#ce93d8"), ("#00695c", "#80cbc4"), ("#8d3a00", "#ffb74d"),
    ("#1b5e20", "#a5d6a7"), ("#ad1457", "#f48fb1"), ("#4e342e", "#bcaaa4"), ("#283593", "#9fa8da"),
)
_DARK = 'body[data-jp-theme-light="false"]'


def _rules() -> str:
    rules = [
        ".coworks-themed{color:var(--jp-content-font-color1,#212121);"
        "font-family:var(--jp-ui-font-family,sans-serif)}",
        ".coworks-themed pre{color:inherit;background:transparent}",
        ".coworks-themed a{color:var(--jp-content-link-color,#0d47a1)}",
        ".coworks-themed table{margin:0;color:inherit}",
        ".coworks-themed th,.coworks-themed td{text-align:left;color:inherit}",
        ".coworks-question{font-weight:bold}",
    ]
    for name, (light, dark) in _TEXT.items():
        css = f"coworks-{name}" if name != "warning" else "coworks-question,.coworks-warning"
        rules.append(f".{css}{{color:{light}}}")
        rules.append(", ".join(f"{_DARK} .{c}" for c in css.split(",."))
                     + f"{{color:{dark}}}")
    for index, (light, dark) in enumerate(STREAMS):
        rules.append(f".coworks-themed .cw-s{index}{{color:{light}}}")
        rules.append(f"{_DARK} .coworks-themed .cw-s{index}{{color:{dark}}}")
    return "".join(rules)


#: One ``<style>`` block: put it beside the widget's HTML (live view and static form alike).
STYLE = f"<style>{_rules()}</style>"


def stream_class(index: int) -> str:
    """The class that colours a log stream's id, the same in both themes' palettes."""
    return f"cw-s{index % len(STREAMS)}"
