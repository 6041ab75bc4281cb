"""Geometry of the statistics screen's charts, drawn as inline SVG by the template.

No chart library and no CDN: the server computes each bar's rectangle, the template writes the
SVG, and every chart is followed by a table of the same figures for screen readers.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    x: float
    y: float
    width: float
    height: float
    series: int = 0

    @property
    def end_x(self) -> float:
        return self.x + self.width


def horizontal_bars(
    items: list[tuple[str, float, str]], *, width: int = 560, bar: int = 22, gap: int = 8
) -> dict:
    """Bars left to right, one per ``(label, value, display)``; the longest fills the plot."""
    label_width, plot = 150, width - 150 - 70
    top = max((value for _label, value, _display in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            display=display,
            x=label_width,
            y=index * (bar + gap),
            width=max(1.0, plot * value / top) if value else 0.0,
            height=bar,
        )
        for index, (label, value, display) in enumerate(items)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": max(1, len(items) * (bar + gap)),
        "label_x": label_width - 8,
        "text_dy": bar * 0.7,
    }


def grouped_columns(
    groups: list[tuple[str, list[float]]], *, series: int, width: int = 560, height: int = 200
) -> dict:
    """Columns per group (a month), ``series`` side by side, on a shared scale from zero."""
    bottom, left = height - 24, 36
    plot_height, plot_width = bottom - 10, width - left - 8
    top = max((v for _label, values in groups for v in values), default=0) or 1
    slot = plot_width / max(1, len(groups))
    column = max(2.0, (slot - 6) / series)
    bars, labels = [], []
    for index, (label, values) in enumerate(groups):
        x0 = left + index * slot + 3
        labels.append({"text": label, "x": x0 + slot / 2 - 3})
        for number, value in enumerate(values):
            h = plot_height * value / top
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    display=f"{value:g}",
                    x=x0 + number * column,
                    y=bottom - h,
                    width=column - 1,
                    height=h,
                    series=number,
                )
            )
    return {
        "bars": bars,
        "labels": labels,
        "width": width,
        "height": height,
        "bottom": bottom,
        "left": left,
        "top_value": f"{top:g}",
    }


def sparkline(values: Sequence[float], *, width: int = 96, height: int = 24, pad: int = 2) -> dict:
    """A small trend line through ``values`` (oldest first), on a scale from zero.

    Gives the polyline's ``points`` and the last point (drawn as a dot) for an inline SVG.
    """
    top = max(values, default=0) or 1
    step = (width - 2 * pad) / max(1, len(values) - 1)
    points = [
        (pad + index * step, height - pad - (height - 2 * pad) * value / top)
        for index, value in enumerate(values)
    ]
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        "last": {"x": f"{points[-1][0]:.1f}", "y": f"{points[-1][1]:.1f}"} if points else None,
    }
