from datetime import date

import pytest

from common import fmt


@pytest.mark.parametrize("value, decimals, expected", [(1234.5, 1, "1.234,5"), (1234567, 0, "1.234.567"), (0, 0, "0"), (-1500, 0, "-1.500"), (None, 0, "–"), (float("nan"), 1, "–"), (__import__("pandas").NA, 0, "–")])
def test_angka(value, decimals, expected):
    assert fmt.angka(value, decimals) == expected


def test_bulan_and_persen():
    assert fmt.bulan(date(2026, 10, 1)) == "Oktober 2026"
    assert fmt.bulan_pendek(date(2026, 8, 1)) == "Agu 2026"
    assert fmt.persen(301 / 328) == "91,8%"
    assert fmt.tanggal(date(2026, 11, 27)) == "27 November 2026"
