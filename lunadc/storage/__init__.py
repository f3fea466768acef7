"""Blob stores: where the bytes of labels and data files live, behind one small interface."""
