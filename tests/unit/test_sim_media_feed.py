"""The farm feeds an RTSP media only once its pipeline plays (vmwall.sim.rtsp_server.MediaFeed).

A frame pushed into a do-timestamp appsrc before its pipeline plays can be stamped with the
clock's absolute time (hours): the sink then waits hours for it and the camera's shared media never
sends a packet. Real GStreamer pipelines here; the farm is a recorder.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

gi = pytest.importorskip("gi")
gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

from vmwall.sim.rtsp_server import MediaFeed  # noqa: E402

Sink = Callable[[bytes], None]


class Farm:
    def __init__(self) -> None:
        self.sinks: list[Sink] = []
        self.detached: list[Sink] = []
        self.attached = threading.Event()

    def attach(self, key: str, sink: Sink) -> None:
        assert key == "cam1/sub"
        self.sinks.append(sink)
        self.attached.set()

    def detach(self, key: str, sink: Sink) -> None:
        self.sinks.remove(sink)
        self.detached.append(sink)


class Pipeline:
    """appsrc as the farm's RTSP media has it, into a clock-synchronised sink that records PTS."""

    def __init__(self) -> None:
        Gst.init(None)
        self.pipeline = Gst.parse_launch(
            "appsrc name=src is-live=true format=time do-timestamp=true "
            "! fakesink name=sink sync=true signal-handoffs=true"
        )
        self.appsrc = self.pipeline.get_by_name("src")
        self.rendered: list[tuple[float, int, int]] = []  # (monotonic, PTS, running time), in ns
        self.pipeline.get_by_name("sink").connect("handoff", self._on_handoff)
        self.refused = 0

    def _on_handoff(self, _sink: Gst.Element, buffer: Gst.Buffer, _pad: Gst.Pad) -> None:
        running = self.pipeline.get_clock().get_time() - self.pipeline.get_base_time()
        self.rendered.append((time.monotonic(), buffer.pts, running))

    def count_refused(self) -> None:
        self.refused += 1

    def set_state(self, state: Gst.State) -> None:
        self.pipeline.set_state(state)
        self.pipeline.get_state(Gst.SECOND // 2)  # a live source does not preroll: PAUSED stays async


@pytest.fixture
def pipeline() -> Iterator[Pipeline]:
    p = Pipeline()
    yield p
    p.set_state(Gst.State.NULL)


def test_the_farm_is_attached_only_once_the_pipeline_plays(pipeline: Pipeline) -> None:
    farm = Farm()
    MediaFeed(farm, "cam1/sub", pipeline.appsrc, pipeline.count_refused).start()
    pipeline.set_state(Gst.State.PAUSED)  # the media being prepared
    assert not farm.attached.wait(0.5), "attached before the pipeline plays"
    played = time.monotonic()
    pipeline.set_state(Gst.State.PLAYING)
    assert farm.attached.wait(2.0), "not attached within 2 s of playing"
    assert len(farm.sinks) == 1
    for _ in range(5):
        farm.sinks[0](b"\x00\x00\x00\x01frame")
        time.sleep(0.04)
    deadline = time.monotonic() + 2.0
    while len(pipeline.rendered) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(pipeline.rendered) == 5, pipeline.rendered
    # Stamped in the pipeline's running time, so each frame is rendered as soon as it arrives.
    assert all(abs(pts - running) < Gst.SECOND // 2 for _, pts, running in pipeline.rendered), (
        pipeline.rendered
    )
    assert pipeline.rendered[-1][0] - played < 2.0
    assert pipeline.refused == 0


def test_a_feed_closed_before_playing_never_attaches(pipeline: Pipeline) -> None:
    farm = Farm()
    feed = MediaFeed(farm, "cam1/sub", pipeline.appsrc, pipeline.count_refused)
    feed.start()
    feed.close()  # the media was unprepared before it ever played
    pipeline.set_state(Gst.State.PLAYING)
    assert not farm.attached.wait(0.5)
    assert farm.detached == []


def test_closing_detaches_and_frames_after_playing_are_dropped_and_counted(pipeline: Pipeline) -> None:
    farm = Farm()
    feed = MediaFeed(farm, "cam1/sub", pipeline.appsrc, pipeline.count_refused)
    feed.start()
    pipeline.set_state(Gst.State.PLAYING)
    assert farm.attached.wait(2.0)
    sink = farm.sinks[0]
    pipeline.set_state(Gst.State.PAUSED)  # the media being torn down
    sink(b"\x00\x00\x00\x01late")
    assert pipeline.refused == 1
    feed.close()
    assert farm.detached == [sink] and farm.sinks == []
