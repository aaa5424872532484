"""The drift guard's rule (drift.py): a page far smaller than what is stored is not believed."""

from cinegraph_scrapy.drift import Figures, edition_drift, list_drift

STORED = Figures(awards=5, categories=27, nominations=130, winners=32)


def test_a_fraction_of_the_edition_is_suspect_and_names_both_figures():
    reason = edition_drift(Figures(1, 5, 23, 5), STORED, min_share=0.5, past_edition=True)
    assert reason.startswith("suspect (a sudden shrink)")
    assert "1 award, 5 categories and 23 nominations (5 winners)" in reason
    assert "5 awards, 27 categories and 130 nominations (32 winners)" in reason


def test_small_changes_new_editions_and_winners_gone_from_a_past_edition():
    assert edition_drift(Figures(5, 27, 128, 32), STORED, min_share=0.5, past_edition=True) is None
    assert edition_drift(Figures(1, 1, 3, 0), Figures(0, 0, 0, 0), min_share=0.5, past_edition=True) is None
    winners_gone = edition_drift(Figures(5, 27, 130, 0), STORED, min_share=0.5, past_edition=True)
    assert winners_gone.startswith("suspect (winners gone)")
    assert edition_drift(Figures(5, 27, 130, 0), STORED, min_share=0.5, past_edition=False) is None  # not yet awarded
    assert edition_drift(Figures(5, 10, 120, 30), STORED, min_share=0.5, past_edition=True) is not None  # categories
    assert edition_drift(Figures(1, 5, 23, 5), STORED, min_share=0.1, past_edition=True) is None  # the setting


def test_lists():
    assert "announces 250 entries where the last import stored 1260" in list_drift(250, 1260, min_share=0.5)
    assert list_drift(1200, 1260, min_share=0.5) is None and list_drift(3, 0, min_share=0.5) is None
