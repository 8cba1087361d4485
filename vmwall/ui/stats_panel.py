"""Monthly statistics of the main courante per commune: entries by category and by hour of day.

Two pyqtgraph bar charts fed by ``JournalService.monthly_stats`` (run on a worker). Deliberately
nothing per operator: the journal never ranks people. A commune-scoped account chooses among its
own communes only; "every commune" is offered to accounts without a scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmwall.model import Commune
from vmwall.model.journal import MonthlyStats
from vmwall.ui.bridge import Bridge

log = logging.getLogger(__name__)

BAR_COLOUR = "#d9a22b"
StatsLoader = Callable[[int | None, int, int], MonthlyStats]  # (commune id or None, year, month)


class MonthlyStatsDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        bridge: Bridge,
        load: StatsLoader,
        communes: Sequence[Commune],
        *,
        allow_all: bool,
        category_labels: Mapping[str, str],
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("monthlyStatsDialog")
        self.setWindowTitle(self.tr("Main courante — statistiques mensuelles"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._bridge = bridge
        self._load = load
        self._labels = dict(category_labels)
        self.stats: MonthlyStats | None = None
        self.loads = 0  # statistics received (tests wait on it)
        self._asked: tuple[int | None, int, int] | None = None
        self._category_ticks: list[tuple[int, str]] = []

        self.commune = QComboBox(self)
        self.commune.setObjectName("statsCommune")
        if allow_all:
            self.commune.addItem(self.tr("Toutes les communes"), None)
        for commune in communes:
            self.commune.addItem(commune.name, commune.id)
        self.month = QDateEdit(self)
        self.month.setObjectName("statsMonth")
        self.month.setDisplayFormat("MM/yyyy")
        self.month.setCalendarPopup(True)
        start = today or date.today()
        self.month.setDate(QDate(start.year, start.month, 1))
        previous = QPushButton("◀", self)
        previous.setToolTip(self.tr("Mois précédent"))
        previous.clicked.connect(lambda: self.month.setDate(self.month.date().addMonths(-1)))
        following = QPushButton("▶", self)
        following.setToolTip(self.tr("Mois suivant"))
        following.clicked.connect(lambda: self.month.setDate(self.month.date().addMonths(1)))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Commune"), self))
        top.addWidget(self.commune, 1)
        top.addWidget(previous)
        top.addWidget(self.month)
        top.addWidget(following)
        self.total = QLabel("", self)
        self.total.setObjectName("statsTotal")

        self.category_plot = pg.PlotWidget(self)
        self.category_plot.setObjectName("statsByCategory")
        self.category_plot.setTitle(self.tr("Entrées par catégorie"))
        self.category_plot.setMouseEnabled(x=False, y=False)
        self.category_plot.hideButtons()
        self.category_plot.showGrid(x=True, y=False, alpha=0.3)
        self.category_bars = pg.BarGraphItem(x0=0, y=[], height=0.6, width=[], brush=BAR_COLOUR)
        self.category_plot.addItem(self.category_bars)
        self.hour_plot = pg.PlotWidget(self)
        self.hour_plot.setObjectName("statsByHour")
        self.hour_plot.setTitle(self.tr("Entrées par heure de la journée"))
        self.hour_plot.setMouseEnabled(x=False, y=False)
        self.hour_plot.hideButtons()
        self.hour_plot.showGrid(x=False, y=True, alpha=0.3)
        self.hour_plot.setLabel("bottom", self.tr("heure"))
        self.hour_plot.getAxis("bottom").setTicks([[(h, f"{h}") for h in range(0, 24, 2)]])
        self.hour_bars = pg.BarGraphItem(x=list(range(24)), height=[0] * 24, width=0.8, brush=BAR_COLOUR)
        self.hour_plot.addItem(self.hour_bars)
        self.hour_plot.setXRange(-0.6, 23.6, padding=0)

        self.message = QLabel(
            self.tr("Aucune statistique par opérateur : la main courante ne classe personne."), self
        )
        self.message.setObjectName("statsMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.total)
        layout.addWidget(self.category_plot, 3)
        layout.addWidget(self.hour_plot, 2)
        layout.addWidget(self.message)
        self.resize(820, 720)
        self.commune.currentIndexChanged.connect(self.refresh)
        self.month.dateChanged.connect(self.refresh)

    def choice(self) -> tuple[int | None, int, int]:
        month = self.month.date()
        commune = self.commune.currentData()
        return (int(commune) if commune is not None else None, month.year(), month.month())

    def refresh(self, *_args: object) -> None:
        """Ask the statistics of the chosen commune and month (on a worker)."""
        if self.commune.count() == 0:
            self.total.setText(self.tr("Aucune commune à afficher."))
            return
        wanted = self.choice()
        self._asked = wanted
        self.total.setText(self.tr("Calcul…"))
        load = self._load
        self._bridge.submit(
            "read the monthly statistics",
            lambda: load(*wanted),
            lambda stats: self._on_loaded(wanted, stats),
            self._on_failed,
            receiver=self,
        )

    def _on_loaded(self, wanted: tuple[int | None, int, int], stats: MonthlyStats) -> None:
        if wanted != self._asked:
            return  # an older answer: the operator has chosen another month or commune since
        self.show_stats(stats)

    def _on_failed(self, error: Exception) -> None:
        log.warning("monthly statistics: %s", error)
        self.total.setText(self.tr("Statistiques indisponibles : %1").replace("%1", str(error)))

    def show_stats(self, stats: MonthlyStats) -> None:
        self.stats = stats
        self.loads += 1
        self.total.setText(
            self.tr("%1 entrée(s) en %2/%3")
            .replace("%1", str(stats.total))
            .replace("%2", f"{stats.month:02d}")
            .replace("%3", str(stats.year))
        )
        # by category: horizontal bars, the most frequent on top
        ranked = list(reversed(stats.by_category))
        positions = list(range(len(ranked)))
        self.category_bars.setOpts(x0=0, y=positions, height=0.6, width=[count for _code, count in ranked])
        self._category_ticks = [(i, self._labels.get(code, code)) for i, (code, _count) in enumerate(ranked)]
        self.category_plot.getAxis("left").setTicks([self._category_ticks])
        if ranked:
            self.category_plot.setYRange(-0.6, len(ranked) - 0.4, padding=0)
            self.category_plot.setXRange(0, max(count for _code, count in ranked) * 1.1, padding=0)
        # by hour of day
        self.hour_bars.setOpts(x=list(range(24)), height=list(stats.by_hour), width=0.8)
        self.hour_plot.setYRange(0, max(1, max(stats.by_hour)) * 1.1, padding=0)

    def plotted(self) -> dict[str, list[tuple[str, float]]]:
        """What the charts draw: (category label, bar length) and (hour, bar height)."""
        ticks = dict(self._category_ticks)
        widths = list(self.category_bars.opts.get("width") or [])
        ys = list(self.category_bars.opts.get("y") or [])
        categories = [(str(ticks.get(y, y)), float(w)) for y, w in zip(ys, widths, strict=True)]
        hours = [
            (str(int(x)), float(h))
            for x, h in zip(
                self.hour_bars.opts.get("x") or [], self.hour_bars.opts.get("height") or [], strict=True
            )
        ]
        return {"categories": categories, "hours": hours}
