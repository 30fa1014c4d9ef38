"""``kiosk scanners`` and ``kiosk scanners --watch``: find the scanner and check it decodes.

Exit codes: 0 listed (or watch ended with Ctrl+C), 1 no input device could be
read or the configured scanner is not there, 2 a bad ``[scanner]`` table.
"""

from __future__ import annotations

import argparse
import sys
import threading


def register(sub, g) -> dict:
    """Add the ``scanners`` command to the ``kiosk`` parser."""
    p = sub.add_parser("scanners", parents=[g], help="list input devices and mark the likely barcode scanners")
    p.add_argument("--watch", action="store_true",
                   help="read the configured (or best-guess) scanner and print each decoded code until Ctrl+C")  # fmt: skip
    p.add_argument("--no-grab", action="store_true", help="with --watch: do not grab the scanner exclusively")
    return {"scanners": cmd_scanners}


def cmd_scanners(args: argparse.Namespace, config) -> int:
    from kiosk.scanner.settings import parse_settings
    from kiosk.scanner.source import choose, describe, evdev_devices

    settings = parse_settings(config.extra.get("scanner", {}))
    try:
        devices = evdev_devices()
    except (PermissionError, RuntimeError) as exc:
        print(getattr(exc, "strerror", None) or str(exc), file=sys.stderr)
        return 1
    if args.watch:
        return _watch(settings, args.no_grab)
    if not devices:
        print("No input devices found (is this a Linux box with /dev/input?).", file=sys.stderr)
        return 1
    chosen = choose(devices, settings)
    for device in devices:
        info = describe(device)
        mark = "*" if device is chosen else ("?" if info.likely_scanner else " ")
        print(f"{mark} {info.path:<22} {info.ids}  {info.name}")
    print("* the scanner the station will read   ? looks like a scanner (keys with Enter and digits, no pointer)")
    for device in devices:
        device.close()
    return 0


def _watch(settings, no_grab: bool) -> int:
    from dataclasses import replace

    from kiosk.scanner.source import ScannerSource

    settings = replace(settings, enabled=True, grab=settings.grab and not no_grab)
    lock = threading.Lock()

    def say(text: str, stream=sys.stdout) -> None:
        with lock:
            print(text, file=stream, flush=True)

    source = ScannerSource(
        settings,
        on_code=say,
        on_status=lambda ok, message: say(message, sys.stderr),
        on_notice=lambda message: say(message, sys.stderr),
    )
    say("Scan a barcode; each decoded code is printed on its own line. Ctrl+C to stop.", sys.stderr)
    forever = threading.Event()
    try:
        source.start()
        # Waited in short steps: the kernel may hand Ctrl+C to the reader thread, and the main thread only
        # raises KeyboardInterrupt when it next runs; an untimed wait never would, and the watch would hang.
        while not forever.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        source.stop()
    return 0
