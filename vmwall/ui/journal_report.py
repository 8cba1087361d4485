"""The printable shift report: the backend's HTML, previewed, printed or saved as PDF through Qt.

The report of [start, end) is built on a worker (``JournalService.shift_report``: the entries of
the account's communes, the bookmarks of their cameras, the audit trail's anchor);
printing and PDF writing lay the document out with ``QTextDocument`` on a worker too (Qt paints
on a QPrinter or a QPdfWriter outside the GUI thread), so a long shift never freezes the console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.journal import utc_now
from vmwall.ui.bridge import Bridge
from vmwall.ui.journal_editor import from_qdatetime, to_qdatetime
from vmwall.ui.journal_texts import local_time

log = logging.getLogger(__name__)


def _document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def write_pdf(html: str, path: Path) -> Path:
    """The report as an A4 PDF file. *Blocking* (a worker)."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("Main courante")
    writer.setCreator("vmwall")
    document = _document(html)
    document.print_(writer)
    del writer  # ends the file
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the PDF file {path} was not written")
    return path


def print_html(html: str, printer: QPrinter) -> None:
    """Lay the report out on ``printer`` (chosen in the print dialog). *Blocking* (a worker)."""
    _document(html).print_(printer)


class ReportPeriod(StrEnum):
    SHIFT = "shift"  # since the signed-in operator took the console
    LAST_8H = "8h"
    LAST_12H = "12h"
    LAST_24H = "24h"
    CHOSEN = "chosen"


_SPANS = {ReportPeriod.LAST_8H: 8, ReportPeriod.LAST_12H: 12, ReportPeriod.LAST_24H: 24}


class ShiftReportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        bridge: Bridge,
        make_report: Callable[[datetime, datetime], str],
        *,
        shift_start: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shiftReportDialog")
        self.setWindowTitle(self.tr("Rapport de poste"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._bridge = bridge
        self._make_report = make_report
        self.shift_start = shift_start
        self.html = ""
        self.generation = 0  # reports generated (tests wait on it)
        self._request = 0
        self.last_pdf: Path | None = None
        self.period = QComboBox(self)
        self.period.setObjectName("reportPeriod")
        if shift_start is not None:
            self.period.addItem(
                self.tr("Depuis la prise de poste (%1)").replace(
                    "%1", local_time(shift_start, "%d/%m %H:%M")
                ),
                ReportPeriod.SHIFT.value,
            )
        for label, period in (
            (self.tr("Dernières 8 h"), ReportPeriod.LAST_8H),
            (self.tr("Dernières 12 h"), ReportPeriod.LAST_12H),
            (self.tr("Dernières 24 h"), ReportPeriod.LAST_24H),
            (self.tr("Période choisie"), ReportPeriod.CHOSEN),
        ):
            self.period.addItem(label, period.value)
        now = utc_now()
        self.since = QDateTimeEdit(to_qdatetime(now - timedelta(hours=8)), self)
        self.until = QDateTimeEdit(to_qdatetime(now), self)
        for edit in (self.since, self.until):
            edit.setDisplayFormat("dd/MM/yyyy HH:mm")
            edit.setCalendarPopup(True)
            edit.hide()
        self.generate_button = QPushButton(self.tr("Actualiser"), self)
        self.generate_button.setObjectName("reportGenerate")
        self.generate_button.clicked.connect(self.generate)
        self.period.currentIndexChanged.connect(self._on_period_changed)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addWidget(self.since)
        top.addWidget(self.until)
        top.addStretch(1)
        top.addWidget(self.generate_button)

        self.preview = QTextBrowser(self)
        self.preview.setObjectName("reportPreview")
        self.preview.setOpenLinks(False)
        self.preview.setStyleSheet("QTextBrowser { background: #ffffff; color: #000000; }")  # the paper
        self.message = QLabel("", self)
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Imprimer…"), self)
        self.print_button.setObjectName("reportPrint")
        self.print_button.clicked.connect(self.print_report)
        self.pdf_button = QPushButton(self.tr("Enregistrer en PDF…"), self)
        self.pdf_button.setObjectName("reportPdf")
        self.pdf_button.clicked.connect(self._on_pdf_clicked)
        close = QPushButton(self.tr("Fermer"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)
        self.resize(900, 700)
        self._set_ready(False)

    def bounds(self) -> tuple[datetime, datetime] | None:
        """[start, end) of the chosen period, or None when it ends before it starts."""
        now = utc_now()
        period = ReportPeriod(self.period.currentData())
        if period is ReportPeriod.SHIFT and self.shift_start is not None:
            return self.shift_start, now
        if period is ReportPeriod.CHOSEN:
            start, end = from_qdatetime(self.since.dateTime()), from_qdatetime(self.until.dateTime())
            return (start, end) if end > start else None
        return now - timedelta(hours=_SPANS.get(period, 8)), now

    def generate(self) -> None:
        bounds = self.bounds()
        if bounds is None:
            self.message.setText(self.tr("La période finit avant de commencer."))
            return
        start, end = bounds
        self._set_ready(False)
        self.message.setText(self.tr("Préparation du rapport…"))
        make = self._make_report
        self._request += 1
        request = self._request
        self._bridge.submit(
            "build the shift report",
            lambda: make(start, end),
            lambda html: self._on_report_built(request, html),
            self._on_report_failed,
            receiver=self,
        )

    def _on_report_built(self, request: int, html: str) -> None:
        if request != self._request:
            return  # an older period: another one was asked for since
        self.html = html
        self.preview.setHtml(html)
        self.generation += 1
        self.message.setText("")
        self._set_ready(True)

    def _on_report_failed(self, error: Exception) -> None:
        log.warning("shift report: %s", error)
        self.message.setText(self.tr("Rapport impossible : %1").replace("%1", str(error)))
        self.generate_button.setEnabled(True)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.pdf_button.setEnabled(ready)
        self.generate_button.setEnabled(True)

    def _on_period_changed(self, _index: int) -> None:
        chosen = ReportPeriod(self.period.currentData()) is ReportPeriod.CHOSEN
        self.since.setVisible(chosen)
        self.until.setVisible(chosen)
        self.generate()

    # --- output -------------------------------------------------------------------------------

    def _on_pdf_clicked(self) -> None:
        name = f"main-courante-{datetime.now().strftime('%Y%m%d-%H%M')}.pdf"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Enregistrer le rapport"), name, "PDF (*.pdf)"
        )
        if chosen:
            self.save_pdf(Path(chosen))

    def save_pdf(self, path: Path) -> None:
        if not self.html:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        html = self.html
        self.message.setText(self.tr("Écriture du PDF…"))
        self._bridge.submit(
            "write the shift report PDF",
            lambda: write_pdf(html, path),
            self._on_pdf_written,
            lambda error: self.message.setText(self.tr("PDF impossible : %1").replace("%1", str(error))),
            receiver=self,
        )

    def _on_pdf_written(self, path: Path) -> None:
        self.last_pdf = path
        self.message.setText(self.tr("Rapport enregistré : %1").replace("%1", str(path)))

    def print_report(self) -> None:
        if not self.html:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        html = self.html
        self.message.setText(self.tr("Impression…"))
        self._bridge.submit(
            "print the shift report",
            lambda: print_html(html, printer),
            lambda _none: self.message.setText(self.tr("Rapport envoyé à l'imprimante.")),
            lambda error: self.message.setText(
                self.tr("Impression impossible : %1").replace("%1", str(error))
            ),
            receiver=self,
        )
