"""French “de” before a name: elided, contracted or plain."""

from __future__ import annotations

import pytest

from portal.formatting import french_de


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ana Agent", "d’Ana Agent"),
        ("Ambarès-et-Lagrave", "d’Ambarès-et-Lagrave"),
        ("Eysines", "d’Eysines"),
        ("Hélène Roux", "d’Hélène Roux"),
        ("Le Bouscat", "du Bouscat"),
        ("Le Haillan", "du Haillan"),
        ("Les Mureaux", "des Mureaux"),
        ("Marc Martin", "de Marc Martin"),
        ("Bordeaux", "de Bordeaux"),
    ],
)
def test_french_de(name, expected):
    assert french_de(name) == expected
