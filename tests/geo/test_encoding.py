from __future__ import annotations

import pytest

from geo.encoding import EncodingError, dbf_encoding, decide_encoding, normalise_encoding
from tests.geo.synthetic import frame, layers, square, write

NAME = "黄家路55弄"


@pytest.fixture()
def compounds():
    return layers()["compounds"]


def replace_in_dbf(shp, old: bytes, new: bytes) -> None:
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    assert old in data
    dbf.write_bytes(data.replace(old, new))


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("UTF-8", "UTF-8"),
        ("utf8", "UTF-8"),
        ("65001", "UTF-8"),
        (" UTF-8\r\n", "UTF-8"),
        ("GBK", "GBK"),
        ("936", "GBK"),
        ("CP936", "GBK"),
        ("GB2312", "GBK"),
        ("GB18030", "GB18030"),
        ("gb18030", "GB18030"),
        ("latin1", "ISO-8859-1"),
        ("ISO-8859-1", "ISO-8859-1"),
        ("88591", "ISO-8859-1"),
        ("1252", "CP1252"),
        ("Big5", "BIG5"),
    ],
)
def test_common_spellings_are_normalised(spelling, expected):
    assert normalise_encoding(spelling) == expected


def test_unknown_encoding_name_is_an_error():
    with pytest.raises(EncodingError, match="unknown text encoding 'klingon'"):
        normalise_encoding("klingon")


def test_cpg_is_honoured(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="GBK")
    assert decide_encoding(shp) == ("GBK", "cpg")
    shp.with_suffix(".cpg").write_text("936")
    assert decide_encoding(shp) == ("GBK", "cpg")


def test_language_driver_id_names_a_code_page(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="GBK", cpg=False, ldid=0x4D)
    assert decide_encoding(shp) == ("GBK", "ldid")


def test_cpg_wins_over_language_driver_id(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="UTF-8", ldid=0x4D)
    assert decide_encoding(shp) == ("UTF-8", "cpg")


@pytest.mark.parametrize("ldid", [0x00, 0x57])
def test_ansi_or_absent_language_driver_id_falls_through_to_detection(tmp_path, compounds, ldid):
    shp = write(compounds, tmp_path / "c.shp", encoding="GBK", cpg=False, ldid=ldid)
    assert decide_encoding(shp) == ("GB18030", "detected")


def test_utf8_without_cpg_is_detected(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="UTF-8", cpg=False, ldid=0)
    assert decide_encoding(shp) == ("UTF-8", "detected")


def test_gb18030_four_byte_characters_are_detected(tmp_path):
    gdf = frame({"name": ["𠀀𠀁 黄家路"]}, [square(0, 0, 1)])
    shp = write(gdf, tmp_path / "c.shp", encoding="GB18030", cpg=False, ldid=0)
    assert decide_encoding(shp) == ("GB18030", "detected")


def test_undecodable_text_asks_the_caller_to_name_the_encoding(tmp_path, compounds):
    compounds.loc[0, "name"] = "XXXXXXXX"
    shp = write(compounds, tmp_path / "c.shp", cpg=False, ldid=0)
    replace_in_dbf(shp, b"XXXXXXXX", b"\xff\xfe\xff\xfe\xff\xfe\xff\xfe")
    with pytest.raises(EncodingError, match="cannot be decoded.*name the encoding"):
        decide_encoding(shp)


def test_detection_reads_records_not_the_header(tmp_path):
    gdf = frame({"名称": ["abc"]}, [square(0, 0, 1)])  # a field name with high bytes
    shp = write(gdf, tmp_path / "c.shp", encoding="GBK", cpg=False, ldid=0)
    assert decide_encoding(shp) == ("UTF-8", "detected")


def test_caller_wins(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="UTF-8")
    assert decide_encoding(shp, encoding="cp936") == ("GBK", "caller")


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_geopackage_and_geojson_are_utf8_by_format(tmp_path, suffix):
    assert decide_encoding(tmp_path / f"x{suffix}") == ("UTF-8", "format")


def test_a_shapefile_without_dbf_is_an_error(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp")
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(EncodingError, match="no .dbf"):
        decide_encoding(shp)


def test_truncated_dbf_is_an_error():
    with pytest.raises(EncodingError, match="not a DBF"):
        dbf_encoding(b"\x03\x7e")


def test_uppercase_sidecars_are_found(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="GBK")
    shp.with_suffix(".cpg").rename(tmp_path / "c.CPG")
    assert decide_encoding(shp) == ("GBK", "cpg")
