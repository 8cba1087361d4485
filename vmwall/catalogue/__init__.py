"""The camera catalogue's use cases (Qt-free, argparse-free): add from ONVIF, import CSV, list, remove.

The CSV format is specified in `vmwall.catalogue.csv_format` (and the README).
"""

from vmwall.catalogue.csv_format import COLUMNS, CameraDraft, CsvImportError, CsvProblem, read_camera_csv
from vmwall.catalogue.importer import ImportReport, import_csv
from vmwall.catalogue.service import (
    CameraEntry,
    Catalogue,
    CommuneChoice,
    OnvifCameraRequest,
    camera_from_probe,
)

__all__ = [
    "COLUMNS",
    "CameraDraft",
    "CameraEntry",
    "Catalogue",
    "CommuneChoice",
    "CsvImportError",
    "CsvProblem",
    "ImportReport",
    "OnvifCameraRequest",
    "camera_from_probe",
    "import_csv",
    "read_camera_csv",
]
