"""Read a PyTorch state dict (`.pth`) into numpy arrays without torch.

Two on-disk formats exist:

- the legacy one (torch < 1.6): five pickles in a row (magic number, protocol version, sys
  info, the state dict, the list of storage keys), then every storage's raw bytes, each
  preceded by its int64 element count;
- the zip one (torch >= 1.6): `<prefix>/data.pkl` plus one `<prefix>/data/<key>` entry of
  raw bytes per storage.

In both, tensors are pickled as calls to `torch._utils._rebuild_tensor_v2(storage, offset,
size, stride, ...)` whose storage is a persistent id. Unpickling is restricted: `find_class`
hands out only our own stand-ins for the few torch names a state dict uses, so a hostile file
cannot make us run code. Nothing in the file is trusted either: every tensor's size, strides
and offset are checked against the bytes its storage really has before numpy looks at them,
so a damaged or hostile file is a WeightsFileError naming the file and the tensor, never a
read out of bounds.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
import struct
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from photosort.errors import BackboneUnavailable

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_MAX_RANK = 32  # numpy's own limit on older versions; real weights have at most 5 dimensions

# torch.<Name>Storage -> numpy dtype. bfloat16 has no numpy dtype: read as uint16, widen later.
_STORAGE_DTYPES: dict[str, np.dtype] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class WeightsFileError(BackboneUnavailable, pickle.UnpicklingError, ValueError):
    """A .pth file that is damaged, truncated or not a state dict we can read.

    A BackboneUnavailable, so the CLI and GUI show it as one line; also an UnpicklingError and
    a ValueError, which is what this reader raised before it checked the file itself.
    """


class _Damaged(Exception):
    """Internal: why a file cannot be read; load_state_dict adds the file's path."""


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for a torch storage class: all we need from it is the element type."""

    name: str

    @property
    def dtype(self) -> np.dtype:
        return _STORAGE_DTYPES[self.name]


@dataclass(frozen=True)
class _StorageRef:
    """A persistent id resolved lazily: in the legacy format the bytes come after the pickle."""

    key: str
    storage_type: _StorageType
    view_offset: int = 0  # elements; only legacy storage views have one


@dataclass(frozen=True)
class _TensorRef:
    storage: _StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor(storage, offset, size, stride, *_ignored) -> _TensorRef:
    # Types are checked later, in _geometry: a pickle can also fill a _TensorRef through BUILD.
    return _TensorRef(storage, offset, size, stride)


def _rebuild_parameter(data, *_ignored):
    return data


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, persistent_load: Callable[[Any], Any]):
        super().__init__(file)
        self._persistent_load = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except (KeyError, TypeError):
            raise _Damaged(f"refusing to load {module}.{name} from a weights file") from None

    def persistent_load(self, pid: Any) -> Any:
        return self._persistent_load(pid)


def _check_memo(file: io.BufferedIOBase, what: str) -> None:
    """Refuse memo indices larger than the pickle itself before the C unpickler sees them: it
    sizes its memo array by the largest index, so one damaged PUT costs gigabytes and minutes."""
    start = file.tell()
    for opcode, arg, pos in pickletools.genops(file):
        at = (pos or start) - start
        if opcode.name in _MEMO_OPS and isinstance(arg, int) and arg > at + 1:
            raise _Damaged(f"its {what} is damaged (memo index {arg} at byte {at})")
    file.seek(start)


_MEMO_OPS = {"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"}


def _unpickle(file: io.BufferedIOBase, persistent_load: Callable[[Any], Any], what: str) -> Any:
    """One pickle from the file; any failure of a malformed pickle becomes _Damaged."""
    try:
        _check_memo(file, what)
        return _RestrictedUnpickler(file, persistent_load).load()
    except _Damaged:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile pickle can raise almost any type
        raise _Damaged(f"its {what} cannot be read ({type(exc).__name__}: {exc})") from None


def _plain_load(file: io.BufferedIOBase, what: str) -> Any:
    """The legacy header/trailer pickles hold only ints, strings, lists and dicts."""
    return _unpickle(file, _refuse_persistent_id, what)


def _refuse_persistent_id(pid: Any) -> Any:
    raise _Damaged(f"unexpected persistent id {pid!r:.80}")


def _storage_ref(pid: Any) -> _StorageRef:
    if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
        raise _Damaged(f"unsupported persistent id {pid!r:.80}")
    _kind, storage_type, key, _location, _numel, *rest = pid
    if not isinstance(storage_type, _StorageType) or not isinstance(key, (str, int)):
        raise _Damaged(f"unsupported persistent id {pid!r:.80}")
    view = rest[0] if rest else None
    if view is None:
        return _StorageRef(str(key), storage_type)
    # Legacy storage view: (view_key, offset, size) into the root storage `key`.
    if not (isinstance(view, tuple) and len(view) == 3 and _is_count(view[1])):
        raise _Damaged(f"storage {key!s:.40} has an unreadable view {view!r:.80}")
    return _StorageRef(str(key), storage_type, view_offset=view[1])


def _is_count(value: Any) -> bool:
    """A non-negative integer: what every size, stride and offset in a state dict must be."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _geometry(name: str, tensor: Any, storages: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """The tensor's storage and first element, once size, strides and offset fit inside it."""
    if not isinstance(tensor, _TensorRef) or not isinstance(tensor.storage, _StorageRef):
        raise _Damaged(f"tensor {name!r} is not a tensor")
    size, stride, ref = tensor.size, tensor.stride, tensor.storage
    if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)):
        raise _Damaged(f"tensor {name!r} has an unreadable size or stride")
    if len(size) > _MAX_RANK or len(stride) != len(size):
        raise _Damaged(f"tensor {name!r} has {len(size)} dimensions but {len(stride)} strides")
    if not all(map(_is_count, (*size, *stride, tensor.offset, ref.view_offset))):
        raise _Damaged(f"tensor {name!r} has a negative or non-integer size, stride or offset")
    flat = storages.get(ref.key)
    if flat is None:
        raise _Damaged(f"tensor {name!r} refers to storage {ref.key!r:.40}, which is not in the file")
    if flat.dtype != ref.storage_type.dtype:
        raise _Damaged(f"tensor {name!r} reads storage {ref.key!r:.40} with two element types")
    start = ref.view_offset + tensor.offset
    if 0 not in size:
        # Python ints do not overflow: the exact last element, compared with the storage.
        last = start + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= flat.size:
            raise _Damaged(
                f"tensor {name!r} (size {tuple(size)}, stride {tuple(stride)}, offset {start}) "
                f"reaches element {last} of storage {ref.key!r:.40}, which has {flat.size}"
            )
    if math.prod(size) > flat.size:  # only a zero stride could do it; a hostile one, 10**18 times
        raise _Damaged(f"tensor {name!r} has more elements than its storage {ref.key!r:.40}")
    return flat, start


def _materialise(name: str, tensor: Any, storages: dict[str, np.ndarray]) -> np.ndarray:
    flat, start = _geometry(name, tensor, storages)
    size = tuple(tensor.size)
    if math.prod(size) == 0:
        array = np.zeros(size, dtype=flat.dtype)
    else:
        strides = tuple(s * flat.itemsize for s in tensor.stride)
        view = np.lib.stride_tricks.as_strided(flat[start:], shape=size, strides=strides)
        # copy(): detach from the file buffer and make the array C-contiguous and writable.
        array = np.array(view, copy=True, order="C")
    if tensor.storage.storage_type.name == "BFloat16Storage":
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def _to_arrays(obj: Any, storages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(obj, dict):
        raise _Damaged(f"expected a state dict, found {type(obj).__name__}")
    return {
        str(k): _materialise(str(k), v, storages)
        for k, v in obj.items()
        if isinstance(v, _TensorRef)
    }


def _typed(key: str, data: bytes | memoryview, dtype: np.dtype) -> np.ndarray:
    if len(data) % dtype.itemsize:
        raise _Damaged(
            f"storage {key!r:.40} has {len(data)} bytes, not a whole number of {dtype.itemsize}-byte elements"
        )
    return np.frombuffer(data, dtype=dtype)


def _load_legacy(raw: bytes) -> dict[str, np.ndarray]:
    file = io.BytesIO(raw)
    magic = _plain_load(file, "header")
    if magic != _LEGACY_MAGIC or _plain_load(file, "header") != _LEGACY_PROTOCOL:
        raise _Damaged("not a PyTorch weights file (bad magic number)")
    sys_info = _plain_load(file, "header")
    if not isinstance(sys_info, dict):
        raise _Damaged("not a PyTorch weights file (bad header)")
    if not sys_info.get("little_endian", True):
        raise _Damaged("big-endian PyTorch files are not supported")
    types: dict[str, _StorageType] = {}
    persistent_load = _storage_loader(types)

    state = _unpickle(file, persistent_load, "state dict")
    if not isinstance(state, dict):
        raise _Damaged(f"expected a state dict, found {type(state).__name__}")
    keys = _plain_load(file, "list of storages")
    if not isinstance(keys, list):
        raise _Damaged("its list of storages is not a list")
    storages: dict[str, np.ndarray] = {}
    view = memoryview(raw)
    pos = file.tell()
    for key in map(str, keys):
        if key not in types or key in storages:
            raise _Damaged(f"storage {key!r:.40} is listed but not used, or listed twice")
        if pos + 8 > len(raw):
            raise _Damaged(f"the file ends before storage {key!r:.40} (truncated)")
        numel = int(np.frombuffer(view[pos : pos + 8], dtype="<i8")[0])
        end = pos + 8 + numel * types[key].dtype.itemsize
        if numel < 0 or end > len(raw):
            raise _Damaged(f"storage {key!r:.40} claims {numel} elements, past the end of the file (truncated)")
        storages[key] = _typed(key, view[pos + 8 : end], types[key].dtype)
        pos = end
    return _to_arrays(state, storages)


def _storage_loader(types: dict[str, "_StorageType"]):
    """The unpickler's persistent_load: a storage reference, each storage of one element type."""

    def persistent_load(pid: Any) -> _StorageRef:
        ref = _storage_ref(pid)
        if types.setdefault(ref.key, ref.storage_type) != ref.storage_type:
            raise _Damaged(f"storage {ref.key!r:.40} is declared with two element types")
        return ref

    return persistent_load


def _load_zip(archive: zipfile.ZipFile) -> dict[str, np.ndarray]:
    names = archive.namelist()
    pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
    if pkl is None:
        raise _Damaged("zip file has no data.pkl: not a PyTorch weights file")
    prefix = pkl[: -len("data.pkl")]
    types: dict[str, _StorageType] = {}
    persistent_load = _storage_loader(types)

    try:
        body = io.BytesIO(archive.read(pkl))  # small; seekable for the memo check
    except Exception as exc:  # noqa: BLE001 - a damaged member: CRC, zlib, truncation
        raise _Damaged(f"its data.pkl cannot be read ({type(exc).__name__}: {exc})") from None
    state = _unpickle(body, persistent_load, "data.pkl")
    storages = {}
    for key, storage_type in types.items():  # each storage read once, however many tensors share it
        record = f"{prefix}data/{key}"
        if record not in names:
            raise _Damaged(f"storage record {record!r:.60} is missing")
        storages[key] = _typed(key, archive.read(record), storage_type.dtype)
    return _to_arrays(state, storages)


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Parameters and buffers of a PyTorch state dict file, by name, as numpy arrays.

    Raises WeightsFileError (a BackboneUnavailable, also a ValueError and an UnpicklingError)
    naming the file, and the tensor or storage at fault, if the file cannot be read as one.
    """
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    return _load_zip(archive)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError,
                    struct.error) as exc:
                raise _Damaged(f"damaged zip archive ({exc})") from None
        return _load_legacy(path.read_bytes())
    except OSError as exc:
        raise WeightsFileError(f"Cannot read backbone weights {path}: {exc.strerror or exc}") from None
    except _Damaged as exc:
        raise WeightsFileError(f"Cannot read backbone weights {path}: {exc}") from None
