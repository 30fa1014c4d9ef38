"""The station's UI-free parts: the ordered queue, scanner control keys, the big-letter font."""

from __future__ import annotations

import threading

import pytest

from screens.bigtext import FONT, measure, render_lines
from screens.scanfield import control_key
from screens.scanqueue import ScanQueue


def test_queue_hands_jobs_to_one_consumer_in_order_with_fresh_idempotency_keys():
    queue = ScanQueue()
    jobs = [queue.put("scan", f"CODE{i}") for i in range(50)]
    assert queue.waiting == 50
    assert len({job.idem_key for job in jobs}) == 50
    taken = []

    def consume():
        while True:
            try:
                job = queue.get(timeout=1)
            except EOFError:
                return
            if job is not None:
                taken.append(job)

    consumer = threading.Thread(target=consume)
    consumer.start()
    queue.close()
    consumer.join(5)
    assert [job.seq for job in taken] == list(range(1, 51))
    for _ in taken:
        queue.answered()
    assert queue.waiting == 0


def test_queue_discard_empties_it_and_close_ends_the_consumer():
    queue = ScanQueue()
    queue.put("scan", "$LOCK")
    queue.put("scan", "S100")
    queue.put("switch", "RETURN")
    assert queue.get(timeout=0.1).value == "$LOCK"
    assert [job.value for job in queue.discard()] == ["S100", "RETURN"]
    queue.answered()
    assert queue.waiting == 0
    assert queue.get(timeout=0.01) is None
    queue.close()
    with pytest.raises(EOFError):
        queue.get(timeout=0.1)


@pytest.mark.parametrize(
    ("char", "key"),
    [("\x02", "ctrl+b"), ("\x03", "ctrl+c"), ("\x04", "ctrl+d"), ("\t", "tab"), ("\r", "enter"), ("A", None)],
)
def test_scanner_control_characters_map_to_the_keys_textual_reports(char, key):
    assert control_key(char) == key


def test_every_glyph_is_five_rows_of_equal_width():
    for ch, glyph in FONT.items():
        assert len(glyph) == 5, ch
        assert len({len(row) for row in glyph}) == 1, ch


def test_big_text_uses_only_console_safe_blocks_and_scales():
    lines = render_lines("ISSUE 0123456789", 1)
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}
    assert len(lines) == 3 and {len(line) for line in lines} == {measure("ISSUE 0123456789")[0]}
    assert measure("17", 3) == (3 * (3 + 5) + 3, 8)
    assert len(render_lines("17", 3)) == 8
