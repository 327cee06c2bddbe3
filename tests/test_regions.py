import pandas as pd
import plotly.graph_objects as go
import pytest

from strikescope.config import default_data_dir
from strikescope.regions import (
    MACRO_AREAS,
    _key,
    is_non_region,
    macro_area,
    map_regions,
    normalize_region,
    region_tags,
    regions,
    split_region_text,
)
from strikescope.render.tilemap import tile_map, tile_map_png

DATA = default_data_dir()
ATTACK_FILES = [
    DATA / "attacks" / "missile_attacks_daily.csv",
    DATA / "attacks" / "versions" / "missile_attacks_daily_2024-11-03.csv",
]
needs_data = pytest.mark.skipif(not ATTACK_FILES[0].exists(), reason="reference data missing")


def test_the_list_has_27_regions_on_a_tile_grid():
    table = regions()
    assert len(table) == 27
    assert table.region_id.is_unique
    assert {"kyiv_city", "kyiv_oblast", "crimea", "sevastopol", "odesa"} <= set(table.index)
    assert not table[["tile_row", "tile_col"]].duplicated().any()
    assert set(table.macro) == set(MACRO_AREAS)
    assert table.loc["kyiv_city", "name_uk"] == "Київ"
    assert table.loc["kyiv_oblast", "name_uk"] == "Київська область"


def test_no_spelling_names_two_regions():
    owner: dict[str, str] = {}
    for row in regions().itertuples(index=False):
        for name in [row.region_id, row.name_en, row.name_uk, *row.aliases.split("|")]:
            assert owner.setdefault(_key(name), row.region_id) == row.region_id, name


@pytest.mark.parametrize(
    "spelling",
    ["Kyivska oblast", "Kyiv oblast", "Київська область", "kyiv-oblast", "KYIV OBLAST"]
    + ["Kyivs'ka", "Київщина", "Kiev region", "Kyiv obl.", "  kyiv   oblast "],
)
def test_kyiv_oblast_spelled_many_ways(spelling):
    assert normalize_region(spelling) == "kyiv_oblast"


@pytest.mark.parametrize("spelling", ["Kyiv City", "Kyiv", "м. Київ", "Kiev", "m. Kyiv", "КИЇВ"])
def test_bare_kyiv_is_the_city(spelling):
    assert normalize_region(spelling) == "kyiv_city"


@pytest.mark.parametrize(
    ("spelling", "region"),
    [
        ("Odessa", "odesa"),
        ("Odeska oblast", "odesa"),
        ("Nikolaev", "mykolaiv"),
        ("Zaporizhia", "zaporizhzhia"),
        ("Zaporozhye", "zaporizhzhia"),
        ("Zaporizka oblast", "zaporizhzhia"),
        ("Kharkov", "kharkiv"),
        ("Dnipro", "dnipropetrovsk"),
        ("Vinnytska", "vinnytsia"),
        ("Lutsk oblast", "volyn"),
        ("Khmelnytskyi", "khmelnytskyi"),
        ("Ivano-Frankivska oblast", "ivano_frankivsk"),
        ("ivano frankivsk", "ivano_frankivsk"),
        ("АР Крим", "crimea"),
        ("Sevastopol", "sevastopol"),
        ("Lviv city", "lviv"),
        ("Starokostiantyniv", "khmelnytskyi"),
        ("Kyiv oblast (south)", "kyiv_oblast"),
    ],
)
def test_variants_and_places(spelling, region):
    assert normalize_region(spelling) == region


@pytest.mark.parametrize(
    "text", [None, float("nan"), pd.NA, "", "Ukraine", "south", "Kursk oblast"]
)
def test_not_regions(text):
    assert normalize_region(text) is None


def test_places_can_be_turned_off_and_city_regions_take_no_oblast_suffix():
    assert normalize_region("Starokostiantyniv", places=False) is None
    assert normalize_region("Sevastopol oblast") is None


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Odesa oblast and Mykolaiv oblast", ["odesa", "mykolaiv"]),
        ("Kyiv, Kyiv oblast", ["kyiv_city", "kyiv_oblast"]),
        ("['Kyiv', 'Kyiv oblast']", ["kyiv_city", "kyiv_oblast"]),
        ("['Lviv oblast', 'Lutsk oblast', 'Kryvyi Rih']", ["lviv", "volyn", "dnipropetrovsk"]),
        ("Dnipropetrovsk oblast, Dnipro Raion", ["dnipropetrovsk"]),
        ("Odesa oblast, Black Sea", ["odesa"]),
        ("Kryvyi Rih, Kharkiv, Vinnytsia", ["dnipropetrovsk", "kharkiv", "vinnytsia"]),
        ("Київ і Київська область", ["kyiv_city", "kyiv_oblast"]),
        ("south and east", []),
        ("{'south': 65, 'east': NaN}", []),
        ("Ukraine", []),
        (None, []),
    ],
)
def test_region_tags(text, tags):
    assert region_tags(text) == tags


def test_literal_cells_are_never_evaluated():
    assert region_tags("[__import__('os').system('echo hacked')]") == []
    assert region_tags("['Kyiv oblast'") == ["kyiv_oblast"]


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("south", ["south"]),
        ("south and east and center", ["south", "east", "center"]),
        ("south-east", ["south", "east"]),
        ("Odesa oblast and north", ["north"]),
        ("{'south': 65, 'east': NaN, 'north': NaN}", ["south", "east", "north"]),
        ("Kyiv oblast (south)", []),
        ("Ukraine", []),
    ],
)
def test_macro_area(text, areas):
    assert macro_area(text) == areas


def test_map_regions_keeps_the_index_and_missing_values():
    values = pd.Series(["Kyiv City", None, "Odeska oblast", "Atlantis"], index=[5, 6, 7, 8])
    assert map_regions(values).fillna("").tolist() == ["kyiv_city", "", "odesa", ""]
    assert map_regions(values).index.tolist() == [5, 6, 7, 8]


def _distinct_spellings() -> set[str]:
    texts: set[str] = set()
    for path in ATTACK_FILES:
        frame = pd.read_csv(path, dtype="str")
        for column in ("target", "target_main", "affected region", "affected_region"):
            if column in frame:
                texts |= set(frame[column].dropna())
    alerts = DATA / "alerts"
    texts |= set(pd.read_csv(alerts / "official_data_en.csv", dtype="str").oblast.dropna())
    texts |= set(pd.read_csv(alerts / "volunteer_data_en.csv", dtype="str").region.dropna())
    return texts


@needs_data
@pytest.mark.slow
def test_every_spelling_in_the_real_files_is_a_region_or_a_known_non_region():
    pieces = {piece for text in _distinct_spellings() for piece in split_region_text(text)}
    assert len(pieces) > 80
    unknown = sorted(p for p in pieces if normalize_region(p) is None and not is_non_region(p))
    assert unknown == []


@needs_data
@pytest.mark.slow
def test_every_siren_region_maps_to_a_distinct_region():
    names = pd.read_csv(DATA / "alerts" / "volunteer_data_en.csv", dtype="str").region.unique()
    ids = map_regions(pd.Series(names))
    assert ids.notna().all()
    assert ids.is_unique


def test_tile_map_colours_known_regions_and_greys_the_rest():
    fig = tile_map({"Kyiv": 5.0, "Kharkivska oblast": 12.0}, title="Hours")
    assert isinstance(fig, go.Figure)
    grey, coloured = fig.data
    assert grey.showscale is False and coloured.showscale is True
    values = [v for row in coloured.z for v in row if v == v]
    assert sorted(values) == [5.0, 12.0]
    assert sum(v == v for row in grey.z for v in row) == 25
    assert "KYI<br>5" in [t for row in coloured.text for t in row]  # a whole value bare


def test_tile_map_refuses_unknown_or_repeated_regions():
    with pytest.raises(ValueError, match="not a region"):
        tile_map({"Atlantis": 1.0})
    with pytest.raises(ValueError, match="several names"):
        tile_map({"Kyiv oblast": 1.0, "Kyivska oblast": 2.0})


def test_tile_map_png_writes_a_png(tmp_path):
    values = pd.Series({"odesa": 3.0, "lviv": 1.0, "crimea": None})
    path = tile_map_png(values, tmp_path / "map.png", title="Test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_tile_map_of_counts_labels_whole_numbers_and_scales_from_zero():
    fig = tile_map({"kyiv_city": 1, "odesa": 1, "sumy": 2.5}, unit="report rows")
    shown = next(t for t in fig.data if t.showscale)
    labels = {str(v) for row in shown.text for v in row if v}
    assert "KYI<br>1" in labels and "ODE<br>1" in labels and "SUM<br>2.5" in labels
    assert (shown.zmin, shown.zmax) == (0, 2.5) and shown.colorbar.title.text == "report rows"
    # values all alike: the bar still runs from 0, not around the one value
    assert (tile_map({"kyiv_city": 1}).data[-1].zmin, tile_map({"kyiv_city": 1}).data[-1].zmax
            ) == (0, 1)
