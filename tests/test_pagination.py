"""Page links: the ends, the neighbours and ellipses, however many pages there are."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from copp.templatetags.ui import page_links


def _render(page_number: int, pages: int) -> str:
    page = Paginator(range(pages * 50), 50).page(page_number)
    request = RequestFactory().get("/events/", {"report_status": "overdue", "page": page_number})
    return render_to_string("includes/pagination.html", {"page": page}, request=request)


def test_it_links_the_ends_and_the_neighbours_of_a_national_register() -> None:
    page = Paginator(range(3_000_000), 50).page(30_000)
    assert page_links(page) == [1, "…", 29_998, 29_999, 30_000, 30_001, 30_002, "…", 60_000]
    html = _render(30_000, 60_000)
    linked = [int(n) for n in re.findall(r'page=(\d+)"', html)]
    assert sorted(set(linked)) == [1, 29_998, 29_999, 30_001, 30_002, 60_000]
    assert 'aria-current="page"><span class="page-link">30000<' in html
    assert html.count("…") == 2
    assert "report_status=overdue" in html  # the filters are kept in every link


def test_a_short_list_has_no_ellipsis() -> None:
    html = _render(2, 4)
    assert "…" not in html
    assert sorted({int(n) for n in re.findall(r'page=(\d+)"', html)}) == [1, 3, 4]
