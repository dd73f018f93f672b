"""Reaching a Ray cluster that is already running. photosort never starts one: ray.init is
only ever called with an address ("auto": the cluster started on this machine by
'ray start'), so a missing cluster is an error, not a surprise local one."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from photosort.errors import PhotosortError

CONNECT_TIMEOUT_S = 5
INSTALL_MESSAGE = 'Sorting on a cluster needs Ray, an optional extra: pip install "photosort[cluster]"'


def require_ray():
    """The ray module (with Ray Data), or the one-line install hint as a PhotosortError."""
    try:
        import ray
        import ray.data  # noqa: F401  (the extra's other half: pyarrow, pandas)
    except ImportError:
        raise PhotosortError(INSTALL_MESSAGE) from None
    return ray


def connect(address: str) -> None:
    """Connect this process to the running cluster at address (ray.shutdown(), or the process
    ending, disconnects it and leaves the cluster running)."""
    ray = require_ray()
    if not address or not address.strip():
        raise PhotosortError("--cluster needs an address (host:port of the head node) or 'auto'.")
    if ray.is_initialized():  # already connected (e.g. a test's driver): keep that connection
        return
    _check_reachable(address.strip())
    try:
        # log_to_driver off: each worker's TensorFlow start-up chatter would reach the terminal
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except Exception as exc:  # ConnectionError, ValueError, RuntimeError, TimeoutError... by version
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PhotosortError(
            f"No Ray cluster reachable at {address} ({reason}); start one first ('ray start --head' "
            "on the head node, 'ray start --address=HEAD:6379' on the others)."
        ) from None


def _check_reachable(address: str) -> None:
    """A host:port nobody answers on fails here in seconds: ray.init waits minutes for it."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address == "auto" or not host or not port.isdigit():
        return  # "auto" and other forms: ray.init answers quickly itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise PhotosortError(
            f"No Ray cluster reachable at {address} ({exc.strerror or exc}); start one first "
            "('ray start --head' on the head node, 'ray start --address=HEAD:6379' on the others)."
        ) from None


@contextmanager
def connected(address: str) -> Iterator[None]:
    """connect() for the duration of a with block."""
    ray = require_ray()
    was_connected = ray.is_initialized()
    connect(address)
    try:
        yield
    finally:
        if not was_connected:
            ray.shutdown()
