"""Figure arithmetic (range, quality and source propagation), quality order, sources."""

from decimal import Decimal as D

import pytest

from portal.footprint import Figure, Quality, Source, merge_sources, round_for_display

S1 = Source("first", 2022)
S2 = Source("second", 2024, "https://example.org/")


def test_quality_order_manufacturer_then_generic_then_estimated():
    assert [q.rank for q in Quality] == [0, 1, 2]
    assert Quality.worst(Quality.MANUFACTURER, Quality.GENERIC) is Quality.GENERIC
    assert Quality.worst(Quality.GENERIC, Quality.ESTIMATED, Quality.MANUFACTURER) is Quality.ESTIMATED
    assert Quality.worst(Quality.MANUFACTURER) is Quality.MANUFACTURER
    assert Quality("estimated") is Quality.ESTIMATED  # stored as its string value


def test_figure_without_range_has_low_and_high_equal_to_value():
    f = Figure(D("7.84"))
    assert (f.low, f.high) == (D("7.84"), D("7.84"))
    assert not f.has_range
    assert f.quality is Quality.ESTIMATED  # no stated provenance: an estimate


def test_figure_accepts_int_and_str_but_refuses_float():
    assert Figure(5).value == D(5)
    assert Figure("0.0519").value == D("0.0519")
    with pytest.raises(TypeError):
        Figure(0.1)  # type: ignore[arg-type]


def test_figure_range_must_hold_the_value():
    with pytest.raises(ValueError):
        Figure(D(10), D(11), D(12))


def test_addition_adds_the_bounds_and_keeps_the_worst_quality_and_all_sources():
    a = Figure(D(10), D(8), D(12), Quality.MANUFACTURER, (S1,))
    b = Figure(D(5), D(4), D(7), Quality.GENERIC, (S2, S1))
    total = a + b
    assert (total.value, total.low, total.high) == (D(15), D(12), D(19))  # 10+5, 8+4, 12+7
    assert total.quality is Quality.GENERIC
    assert total.sources == (S1, S2)  # each once, first-seen order


def test_subtraction_takes_the_opposite_bounds():
    diff = Figure(D(10), D(8), D(12)) - Figure(D(5), D(4), D(7))
    assert (diff.value, diff.low, diff.high) == (D(5), D(1), D(8))  # 10−5, 8−7, 12−4


def test_scalar_operations_keep_quality_and_sources():
    share = Figure(D("0.73"), D("0.43"), D("0.97"), Quality.GENERIC, (S1,))
    kept = 1 - share
    assert (kept.value, kept.low, kept.high) == (D("0.27"), D("0.03"), D("0.57"))  # 1−0.73, 1−0.97, 1−0.43
    assert kept.quality is Quality.GENERIC and kept.sources == (S1,)
    doubled = 2 * Figure(D(10), D(8), D(12))
    assert (doubled.value, doubled.low, doubled.high) == (D(20), D(16), D(24))


def test_division_by_a_range_divides_by_the_opposite_bound():
    per_year = Figure(D("185.09")) / Figure(D(5), D(4), D(6))
    assert per_year.value == D("37.018")  # 185.09 / 5
    assert round_for_display(per_year.low, 6) == D("30.848333")  # 185.09 / 6
    assert per_year.high == D("46.2725")  # 185.09 / 4


def test_division_by_a_range_including_zero_is_refused():
    with pytest.raises(ZeroDivisionError):
        Figure(D(1)) / Figure(D(1), D(0), D(2))


def test_downgraded_never_upgrades():
    assert Figure(D(1), quality=Quality.GENERIC).downgraded(Quality.ESTIMATED).quality is Quality.ESTIMATED
    assert Figure(D(1), quality=Quality.ESTIMATED).downgraded(Quality.GENERIC).quality is Quality.ESTIMATED


def test_merge_sources_deduplicates_in_order():
    assert merge_sources((S2,), (S1, S2), ()) == (S2, S1)


def test_round_for_display_is_half_up_and_keeps_decimal_and_figure_types():
    assert round_for_display(D("2.25"), 1) == D("2.3")  # half up, not banker's rounding
    assert round_for_display(D("38.5231")) == D("38.5")
    f = round_for_display(Figure(D("11.49996"), D("2.61564"), D("22.60536"), Quality.GENERIC, (S1,)), 2)
    assert (f.value, f.low, f.high) == (D("11.50"), D("2.62"), D("22.61"))
    assert f.quality is Quality.GENERIC and f.sources == (S1,)
    assert isinstance(f.value, D)
