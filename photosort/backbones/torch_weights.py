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
cannot make us run code.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001

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


def _rebuild_tensor(storage: _StorageRef, offset: int, size, stride, *_ignored) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(data: _TensorRef, *_ignored) -> _TensorRef:
    return data


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, persistent_load: Callable[[tuple], Any]):
        super().__init__(file)
        self._persistent_load = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid: tuple) -> Any:
        return self._persistent_load(pid)


def _plain_load(file: io.BufferedIOBase) -> Any:
    """The legacy header/trailer pickles hold only ints, strings, lists and dicts."""
    return _RestrictedUnpickler(file, _refuse_persistent_id).load()


def _refuse_persistent_id(pid: tuple) -> Any:
    raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")


def _storage_ref(pid: tuple) -> _StorageRef:
    kind, storage_type, key, _location, _numel, *rest = pid
    if kind != "storage" or not isinstance(storage_type, _StorageType):
        raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
    view = rest[0] if rest else None
    if view is None:
        return _StorageRef(str(key), storage_type)
    # Legacy storage view: (view_key, offset, size) into the root storage `key`.
    return _StorageRef(str(key), storage_type, view_offset=int(view[1]))


def _materialise(tensor: _TensorRef, storages: dict[str, np.ndarray]) -> np.ndarray:
    flat = storages[tensor.storage.key]
    start = tensor.storage.view_offset + tensor.offset
    base = flat[start:]
    strides = tuple(s * flat.itemsize for s in tensor.stride)
    array = np.lib.stride_tricks.as_strided(base, shape=tensor.size, strides=strides)
    # copy(): detach from the file buffer and make the array C-contiguous and writable.
    array = np.array(array, copy=True, order="C")
    if tensor.storage.storage_type.name == "BFloat16Storage":
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def _to_arrays(obj: Any, storages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(obj, dict):
        raise ValueError(f"expected a state dict, found {type(obj).__name__}")
    return {
        str(k): _materialise(v, storages) for k, v in obj.items() if isinstance(v, _TensorRef)
    }


def _load_legacy(raw: bytes) -> dict[str, np.ndarray]:
    file = io.BytesIO(raw)
    if _plain_load(file) != _LEGACY_MAGIC or _plain_load(file) != _LEGACY_PROTOCOL:
        raise ValueError("not a PyTorch weights file (bad magic number)")
    sys_info = _plain_load(file)
    if not sys_info.get("little_endian", True):
        raise ValueError("big-endian PyTorch files are not supported")
    types: dict[str, _StorageType] = {}

    def persistent_load(pid: tuple) -> _StorageRef:
        ref = _storage_ref(pid)
        types[ref.key] = ref.storage_type
        return ref

    state = _RestrictedUnpickler(file, persistent_load).load()
    keys = _plain_load(file)
    storages: dict[str, np.ndarray] = {}
    view = memoryview(raw)
    pos = file.tell()
    for key in keys:
        (numel,) = np.frombuffer(view[pos : pos + 8], dtype="<i8")
        dtype = types[key].dtype
        end = pos + 8 + int(numel) * dtype.itemsize
        storages[key] = np.frombuffer(view[pos + 8 : end], dtype=dtype)
        pos = end
    return _to_arrays(state, storages)


def _load_zip(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
        if pkl is None:
            raise ValueError("zip file has no data.pkl: not a PyTorch weights file")
        prefix = pkl[: -len("data.pkl")]
        refs: list[_StorageRef] = []

        def persistent_load(pid: tuple) -> _StorageRef:
            refs.append(_storage_ref(pid))
            return refs[-1]

        with archive.open(pkl) as file:
            state = _RestrictedUnpickler(file, persistent_load).load()
        storages = {
            ref.key: np.frombuffer(
                archive.read(f"{prefix}data/{ref.key}"), dtype=ref.storage_type.dtype
            )
            for ref in refs
        }
    return _to_arrays(state, storages)


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Parameters and buffers of a PyTorch state dict file, by name, as numpy arrays.

    Raises ValueError (or pickle.UnpicklingError) if the file is not a state dict we can read.
    """
    path = Path(path)
    if zipfile.is_zipfile(path):
        return _load_zip(path)
    return _load_legacy(path.read_bytes())
