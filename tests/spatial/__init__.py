"""Tests of lunadc.search.spatial: exact spherical geometry, cells, coverage."""
