"""Paging without counting: a page of a long list costs one query of one page plus one row.

Django's ``Paginator`` counts the whole queryset for every page (``num_pages``); on the public
list of a district's reports that is a scan of hundreds of thousands of rows per view, while
the twenty rows themselves take milliseconds. ``window_page`` fetches ``per_page + 1`` rows of
the asked page: the extra row only says whether a next page exists.
"""

from dataclasses import dataclass, field


@dataclass
class WindowPage:
    number: int
    per_page: int
    object_list: list = field(default_factory=list)
    has_next: bool = False

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window_page(queryset, number, *, per_page: int = 20, max_number: int = 10_000) -> WindowPage:
    """Page ``number`` (any input; bad or out-of-range values give page 1) of ``queryset``."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if not 1 <= number <= max_number:
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return WindowPage(
        number=number,
        per_page=per_page,
        object_list=rows[:per_page],
        has_next=len(rows) > per_page,
    )
