"""Pages of a list: the number asked for, the last page past the end, page 1 of nothing."""

from __future__ import annotations

from portal.pagination import page_number, paginate_list


def test_a_list_is_cut_into_pages_and_a_number_past_the_end_shows_the_last():
    page = paginate_list(list(range(45)), number=2, size=20)
    assert (page.items, page.number, page.pages, page.total) == (list(range(20, 40)), 2, 3, 45)
    assert page.has_previous and page.has_next and (page.first_index, page.last_index) == (21, 40)
    last = paginate_list(tuple(range(45)), number=99, size=20)
    assert (last.items, last.number, last.has_next) == ([40, 41, 42, 43, 44], 3, False)


def test_nothing_to_show_is_page_one_of_one():
    page = paginate_list([], number=5, size=20)
    assert (page.items, page.number, page.pages, page.first_index) == ([], 1, 1, 0)


def test_odd_page_numbers_from_the_query_string_are_page_one():
    assert [page_number(raw) for raw in (None, "", "x", "0", "-3", "2")] == [1, 1, 1, 1, 1, 2]
