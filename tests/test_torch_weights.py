"""The .pth reader against damaged and hostile copies of the real installed weights file.

Every damaged copy is made from the real EfficientNet-Lite0 file: its state-dict pickle is
re-written with one tensor's size, strides or offset edited, its storages truncated, or the
whole file re-packed in torch's zip layout and then cut or stripped. Each must give one clear
WeightsFileError (a BackboneUnavailable) naming the file and the tensor or storage at fault,
never a numpy crash or a read out of bounds; the undamaged copies load bit for bit.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photosort.backbones import registry
from photosort.backbones.torch_weights import WeightsFileError, load_state_dict
from photosort.errors import BackboneUnavailable, PhotosortError

TENSOR = "_fc.weight"  # (1000, 1280) float32, strides (1280, 1)


# --- re-writing the real file's pickle ----------------------------------------------------


class _Call:
    """A recorded call of a torch rebuild function; pickles back to the same call."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, list(args)

    def __reduce__(self):
        return self.fn, tuple(self.args)


class _Pid:
    def __init__(self, pid):
        self.pid = pid


def _recorder(name: str):
    def rebuild(*args):
        return _Call(rebuild, args)

    rebuild.__module__, rebuild.__qualname__, rebuild.__name__ = "torch._utils", name, name
    return rebuild


def _fake_torch() -> dict[str, types.ModuleType]:
    """Modules named like torch's, so pickle writes the same global references back."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")
    for name in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter"):
        setattr(utils, name, _recorder(name))
    for name in ("FloatStorage", "LongStorage", "HalfStorage", "DoubleStorage", "IntStorage"):
        setattr(torch, name, type(name, (), {"__module__": "torch"}))
    torch._utils = utils
    return {"torch": torch, "torch._utils": utils}


@pytest.fixture(scope="module")
def real_file() -> Path:
    try:
        return registry.locate_weights("efficientnet_lite0")
    except BackboneUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def legacy(real_file):
    """The real file split up: header bytes, the state dict as editable calls, the rest."""
    modules = _fake_torch()
    saved = {k: sys.modules.get(k) for k in modules}
    sys.modules.update(modules)
    raw = real_file.read_bytes()
    file = io.BytesIO(raw)
    for _ in range(3):  # magic number, protocol, sys info
        pickle.load(file)
    header_end = file.tell()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("torch"):
                return getattr(modules[module], name)
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return _Pid(pid)

    state_bytes_start = header_end
    state = Unpickler(file).load()
    state_end = file.tell()
    keys = pickle.load(file)
    data_start = file.tell()
    yield types.SimpleNamespace(
        raw=raw, header=raw[:header_end], state=state, state_pickle=raw[state_bytes_start:state_end],
        trailer=raw[state_end:], keys=keys, data_start=data_start, modules=modules,
    )
    for k, v in saved.items():
        if v is None:
            sys.modules.pop(k, None)
        else:
            sys.modules[k] = v


def _dump_state(state, modules) -> bytes:
    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return obj.pid if isinstance(obj, _Pid) else None

    saved = {k: sys.modules.get(k) for k in modules}
    sys.modules.update(modules)
    try:
        out = io.BytesIO()
        Pickler(out, protocol=2).dump(state)
        return out.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _tensor_call(value) -> _Call:
    """The _rebuild_tensor_v2 call of a state-dict value (inside _rebuild_parameter if any)."""
    while isinstance(value.args[0], _Call):
        value = value.args[0]
    return value


def _storages(legacy) -> dict[str, bytes]:
    """Each storage's raw bytes, read from the legacy trailer with the element counts."""
    types_of = {}
    for value in legacy.state.values():
        pid = _tensor_call(value).args[0].pid
        types_of[str(pid[2])] = np.dtype(
            {"FloatStorage": "<f4", "LongStorage": "<i8"}[pid[1].__name__]
        )
    out, pos = {}, legacy.data_start
    for key in legacy.keys:
        numel = int(np.frombuffer(legacy.raw[pos : pos + 8], "<i8")[0])
        end = pos + 8 + numel * types_of[key].itemsize
        out[key] = legacy.raw[pos + 8 : end]
        pos = end
    return out


def _edited(legacy, tmp_path: Path, name: str, **edits) -> Path:
    """A legacy copy of the real file with tensor `name`'s offset/size/stride replaced."""
    state = legacy.state  # shared by the tests: the edit is undone below
    call = _tensor_call(state[name])
    original = list(call.args)
    for field, value in edits.items():
        call.args[{"offset": 1, "size": 2, "stride": 3}[field]] = value
    try:
        body = _dump_state(state, legacy.modules)
    finally:
        call.args = original
    path = tmp_path / "edited.pth"
    path.write_bytes(legacy.header + body + legacy.trailer)
    return path


def _zip_copy(legacy, tmp_path: Path, skip: str | None = None, cut: dict | None = None) -> Path:
    """The real file re-packed the way torch >= 1.6 saves: archive/data.pkl + archive/data/<key>."""
    path = tmp_path / "zipped.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", legacy.state_pickle)
        for key, data in _storages(legacy).items():
            if key != skip:
                archive.writestr(f"archive/data/{key}", data[: (cut or {}).get(key, len(data))])
        archive.writestr("archive/version", "3\n")
    return path


def _storage_key(legacy, name: str) -> str:
    return str(_tensor_call(legacy.state[name]).args[0].pid[2])


def _assert_clear(path: Path, *needles: str) -> WeightsFileError:
    with pytest.raises(WeightsFileError) as info:
        load_state_dict(path)
    error = info.value
    assert isinstance(error, BackboneUnavailable) and isinstance(error, PhotosortError)
    message = str(error)
    assert str(path) in message and "\n" not in message
    for needle in needles:
        assert needle in message, message
    return error


# --- the real file, re-written faithfully, still loads bit for bit ------------------------


def test_rewritten_and_zipped_copies_load_bit_exactly(legacy, real_file, tmp_path):
    expected = load_state_dict(real_file)
    rewritten = _edited(legacy, tmp_path, TENSOR)  # no edit: same calls, pickled again
    for copy in (rewritten, _zip_copy(legacy, tmp_path)):
        state = load_state_dict(copy)
        assert state.keys() == expected.keys()
        for name, array in expected.items():
            assert state[name].dtype == array.dtype and state[name].shape == array.shape
            assert state[name].tobytes() == array.tobytes(), name


# --- edited geometry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "edits, needle",
    [
        ({"stride": (1281, 1)}, "reaches element"),
        ({"size": (1001, 1280)}, "reaches element"),
        ({"offset": 1}, "reaches element"),
        ({"offset": 1_280_000}, "reaches element"),
        ({"stride": (1280, 2**63)}, "reaches element"),  # would overflow an int64 byte offset
        ({"stride": (-1280, 1)}, "negative or non-integer"),
        ({"offset": -5}, "negative or non-integer"),
        ({"size": (1000, -1280)}, "negative or non-integer"),
        ({"size": (1000, "1280")}, "negative or non-integer"),
        ({"size": (1000.0, 1280)}, "negative or non-integer"),
        ({"stride": (1280,)}, "2 dimensions but 1 strides"),
        ({"size": (1,) * 40, "stride": (1,) * 40}, "40 dimensions"),
        ({"size": (2**62, 2**62), "stride": (0, 0)}, "more elements than its storage"),
        ({"size": None}, "unreadable size or stride"),
    ],
)
def test_edited_tensor_geometry_is_a_clear_error(legacy, tmp_path, edits, needle):
    _assert_clear(_edited(legacy, tmp_path, TENSOR, **edits), repr(TENSOR), needle)


def test_one_storage_read_as_two_types_is_refused(legacy, tmp_path):
    """_fc.weight pointed at _fc.bias's float storage, but as a LongStorage."""
    counter = _tensor_call(legacy.state["_bn0.num_batches_tracked"]).args[0]
    bias = _tensor_call(legacy.state["_fc.bias"]).args[0]
    call = _tensor_call(legacy.state[TENSOR])
    original = call.args[0]
    call.args[0] = _Pid((*bias.pid[:1], counter.pid[1], *bias.pid[2:]))
    try:
        body = _dump_state(legacy.state, legacy.modules)
    finally:
        call.args[0] = original
    path = tmp_path / "two-types.pth"
    path.write_bytes(legacy.header + body + legacy.trailer)
    _assert_clear(path, "two element types", repr(_storage_key(legacy, "_fc.bias")))


# --- truncated and hostile files ----------------------------------------------------------


@pytest.mark.parametrize("keep", [0.999, 0.5, 0.01])
def test_truncated_legacy_file(legacy, tmp_path, keep):
    path = tmp_path / "cut.pth"
    path.write_bytes(legacy.raw[: int(len(legacy.raw) * keep)])
    _assert_clear(path, "Cannot read backbone weights")


def test_truncated_zip_file(legacy, tmp_path):
    whole = _zip_copy(legacy, tmp_path).read_bytes()
    for keep in (len(whole) - 10, len(whole) // 2, 100):
        path = tmp_path / f"cut-{keep}.pth"
        path.write_bytes(whole[:keep])
        _assert_clear(path, "Cannot read backbone weights")


def test_zip_with_a_missing_storage_record(legacy, tmp_path):
    key = _storage_key(legacy, TENSOR)
    _assert_clear(_zip_copy(legacy, tmp_path, skip=key), "is missing", f"archive/data/{key}")


@pytest.mark.parametrize("cut, needle", [(4, "reaches element"), (1, "not a whole number")])
def test_zip_with_a_truncated_storage_record(legacy, tmp_path, cut, needle):
    key = _storage_key(legacy, TENSOR)
    size = len(_storages(legacy)[key])
    _assert_clear(_zip_copy(legacy, tmp_path, cut={key: size - cut}), needle)


def test_zip_with_a_flipped_byte_fails_its_checksum(legacy, tmp_path):
    path = _zip_copy(legacy, tmp_path)
    data = bytearray(path.read_bytes())
    at = data.index(_storages(legacy)[_storage_key(legacy, TENSOR)][:64]) + 1000
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    _assert_clear(path, "damaged zip archive")


class _Hostile:
    def __reduce__(self):
        return os.system, ("echo pwned",)


@pytest.mark.parametrize(
    "body, needle",
    [
        (pickle.dumps({"w": _Hostile()}, protocol=2), "refusing to load"),
        (pickle.dumps({"w": types.SimpleNamespace()}, protocol=2), "refusing to load types.SimpleNamespace"),
        (b"\x80\x02cbuiltins\neval\nX\x03\x00\x00\x001+1q\x00\x85R.", "refusing to load builtins.eval"),
        (b"\x80\x02]q\x00.", "expected a state dict"),
        # found by the fuzz test: one damaged LONG_BINPUT made the C unpickler allocate a
        # 10 GB memo and spend 30-70 s zeroing it
        (b"\x80\x02}r\x63\x6f\x0a\x46.", "memo index 1175088995"),
        (b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01(X\x07\x00\x00\x00storageq\x02tQs.", "unsupported persistent id"),
    ],
)
def test_hostile_pickle_is_refused(legacy, tmp_path, body, needle):
    for path in (tmp_path / "legacy.pth", tmp_path / "zip.pth"):
        if path.name == "legacy.pth":
            path.write_bytes(legacy.header + body + legacy.trailer)
        else:
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("archive/data.pkl", body)
        _assert_clear(path, needle)


def test_missing_and_unreadable_paths(tmp_path):
    _assert_clear(tmp_path / "nothing.pth", "No such file")
    (tmp_path / "empty.pth").write_bytes(b"")
    _assert_clear(tmp_path / "empty.pth", "cannot be read")


# --- random damage to the pickle ----------------------------------------------------------


@pytest.fixture(scope="module")
def small_zip(legacy, tmp_path_factory) -> bytes:
    """A few real tensors (a conv with permuted strides, a bias, a counter) in zip layout."""
    names = ["_conv_stem.weight", "_bn0.bias", "_bn0.num_batches_tracked"]
    state = {n: legacy.state[n] for n in names}
    storages = _storages(legacy)
    path = tmp_path_factory.mktemp("small") / "small.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", _dump_state(state, legacy.modules))
        for n in names:
            key = _storage_key(legacy, n)
            archive.writestr(f"archive/data/{key}", storages[key])
    assert set(load_state_dict(path)) == set(names)
    return path.read_bytes()


@settings(max_examples=int(os.environ.get("PHOTOSORT_FUZZ_EXAMPLES", "150")), deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_to_the_pickle_is_a_clear_error_or_a_clean_load(small_zip, tmp_path, data):
    with zipfile.ZipFile(io.BytesIO(small_zip)) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    body = bytearray(entries["archive/data.pkl"])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(body) - 1))
        kind = data.draw(st.sampled_from(["flip", "set", "cut", "insert"]))
        if kind == "flip":
            body[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "set":
            body[at] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del body[at:at + data.draw(st.integers(1, 16))]
        else:
            body[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        if not body:
            body = bytearray(b".")
    entries["archive/data.pkl"] = bytes(body)
    path = tmp_path / "fuzzed.pth"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    try:
        state = load_state_dict(path)
    except WeightsFileError as error:
        assert str(path) in str(error)
        return
    for array in state.values():  # a clean load: real arrays, nothing read past the storages
        assert isinstance(array, np.ndarray) and array.flags.c_contiguous
