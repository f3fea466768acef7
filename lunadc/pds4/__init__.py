"""Reading PDS4 labels safely, extracting what lunadc indexes, and validating them.

The ingest pipeline uses, in order::

    tree = parse_xml(data, source=name)                 # LabelError if unreadable/hostile
    label, findings = extract_label(tree, source=name)
    findings += validate_label(tree, label, source=name, schemas=catalog)
    findings += check_files(label, folder, source=name)
    members, more = read_inventory(inventory_bytes, tree=tree, source=inventory_name)
"""

from lunadc.pds4.codes import FINDING_CODES
from lunadc.pds4.extract import extract_label
from lunadc.pds4.inventory import read_inventory
from lunadc.pds4.labeljson import label_to_json
from lunadc.pds4.safe_xml import hardened_parser, parse_xml
from lunadc.pds4.schemas import SchemaCatalog
from lunadc.pds4.validate import check_files, validate_label

__all__ = [
    "FINDING_CODES",
    "SchemaCatalog",
    "check_files",
    "extract_label",
    "hardened_parser",
    "label_to_json",
    "parse_xml",
    "read_inventory",
    "validate_label",
]
