"""Quicklooks drawn on the node: images for arrays, plots for tables and spectra, cached."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lunadc.catalog.search import get_visible
from lunadc.model.access import ANONYMOUS
from lunadc.model.identifiers import parse_identifier
from lunadc.model.times import format_time
from lunadc.node import Node
from lunadc.processing.objects import ArraySpec
from lunadc.processing.quicklook import cache_path, make_quicklook, quicklook_for
from lunadc.processing.render import image_png
from tests.conftest import SAMPLES

# Real products holding images, tables or spectra: each must get a quicklook.
REAL_DRAWABLE = {
    "akatsuki_orbit_ancillary/vco_v07.utc.xml": "plot",
    "apollo12_sws/b.xml": "plot",
    "array_8bit/8array.xml": "image",
    "astromat_lunar_sample/astro_sample_t.xml": "plot",
    "bundle_clps_pitms/data_raw/PITMS_RAW_AUX.xml": "plot",
    "ch1_minirf_hk/fsb_01500_rhk_xib_85s238_v1.xml": "plot",
    "ch2_dfsar/ch2_sar_ncxs_20090107t163003745_d_sli_xx_fp_hh_pb1_19111.xml": "image",
    "kplo_shadowcam/kplo.xml": "image",
    "litcomp_comet_colors/colors.xml": "plot",
    "lro_diviner_rdr/201401031400_rdr.xml": "plot",
    "lro_lend_rdr_dld/lend_rdr_dld_20240615.xml": "plot",
    "lroc_boulders_camelot/AREA_Camelot_1radii.xml": "plot",
    "maven_iuvs_group_fields/test_group_fields.xml": "plot",
    "maven_swia_cdf/mvn_swi_l2_onboardsvymom_20230827_v02_r01.xml": "plot",
    "metadata_supplemental/delmet2.xml": "plot",
    "mro_fits_image/m221011.0015.xml": "image",
    "orex_otes_binary/data1.xml": "plot",
    "primass_spectra_table/primassl_visible_spectral_data_collection.xml": "plot",
    "pvmp_dlbi_table_char/dlbi.xml": "plot",
    "themis_fits_array3d/t014_b0606_sp_20110528_17550949_y3.xml": "image",
}
# Nothing to draw: documents, a video, a PDF browse, a SPICE kernel, bit fields, HH:MM:SS.
REAL_NOT_DRAWABLE = [
    "browse_pdf_ulysses/1203_12.xml",
    "document_pdfa/document_pdfa_valid.xml",
    "ingenuity_video/video.xml",
    "spice_pck_bennu/bennu_pck_od090.tpc.xml",
    "table_binary_min/test1_valid.xml",
]


def draw(label: Path) -> bytes | None:
    def read(name: str) -> bytes | None:
        path = label.parent / name
        return path.read_bytes() if path.is_file() else None

    return make_quicklook(label.read_bytes(), read, label.stem)


def png_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.mark.parametrize("relative", sorted(REAL_DRAWABLE))
def test_real_products_get_a_quicklook(relative: str) -> None:
    png = draw(SAMPLES / relative)
    assert png is not None, f"no quicklook for {relative}"
    width, height = png_size(png)
    if REAL_DRAWABLE[relative] == "plot":
        assert (width, height) == (640, 360)  # a matplotlib figure
    else:
        assert max(width, height) <= 768 and min(width, height) >= 1


@pytest.mark.parametrize("relative", REAL_NOT_DRAWABLE)
def test_products_without_data_to_draw(relative: str) -> None:
    assert draw(SAMPLES / relative) is None


def test_generated_images_and_tables(generated: Path) -> None:
    labels = [p for p in generated.rglob("*.xml") if "collection" not in p.name]
    drawable = [
        p
        for p in labels
        if any(tag in p.read_text() for tag in ("<Array_2D_Image", "<Table_", "<Array_1D"))
    ]
    assert len(drawable) >= 20
    missing = [str(p.relative_to(generated)) for p in drawable if draw(p) is None]
    assert not missing


def test_image_stretch_is_grey_and_ignores_fill_values() -> None:
    values = np.arange(64, dtype=np.float64).reshape(8, 8)
    values[0, 0] = np.nan
    with Image.open(io.BytesIO(image_png(values))) as image:
        assert image.mode == "L"
        assert image.size == (256, 256)  # small arrays are enlarged to be seen
        low, high = image.getextrema()
        assert low == 0 and high == 255


def test_truncated_array_draws_nothing() -> None:
    label = (SAMPLES / "kplo_shadowcam" / "kplo.xml").read_bytes()
    assert make_quicklook(label, lambda _name: b"\0" * 100, "short") is None
    assert ArraySpec("f", 0, (2, 2), "UnsignedByte").shape == (2, 2)


def test_hostile_label_draws_nothing() -> None:
    assert make_quicklook(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", lambda _n: None, "") is None
    assert make_quicklook(b"not xml", lambda _n: None, "") is None


def test_quicklooks_are_cached_in_the_node(web_node: Node) -> None:
    lid, vid = parse_identifier(
        "urn:isro:isda:ch2_cho:sar_calibrated:ch2_sar_ncxs_20090107t163003745_d_sli_xx_fp_hh_pb1::1.0"
    )
    with web_node.engine.connect() as conn:
        row = get_visible(conn, ANONYMOUS, format_time(web_node.clock()), lid, vid)
    assert row is not None
    path = cache_path(web_node, row)
    assert path.parent == web_node.config.root / "cache" / "quicklooks"
    path.unlink(missing_ok=True)
    first = quicklook_for(web_node, row)
    assert first is not None and path.read_bytes() == first
    path.write_bytes(b"cached")  # the second call must not draw again
    assert quicklook_for(web_node, row) == b"cached"
    path.unlink()
