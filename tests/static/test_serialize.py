"""Tests of ``Graph.save`` / ``cg.Graph.load``: exact round trips (names, ops,
shapes, dtypes, attributes, constants, results, gradient graphs) and the
rejection, with a clear ValueError, of every malicious or corrupt file: unknown
op names, code in attribute names or values, bad references, wrong format or
version, non-numeric dtypes, truncated files, random bytes, object arrays,
pickles.  No pickle and no eval may ever run while loading.

Reference behaviour: /work/shared/API.md section 4 and the format documented in
``compgraph/static/serialize.py`` (an .npz archive with a ``graph.json`` entry).
"""
from __future__ import annotations

import copy
import json
import pickle
import zipfile

import numpy as np
import pytest

import compgraph as cg
from compgraph.static import SYMBOLIC as S

# --------------------------------------------------------------------------- helpers


def roundtrip(g, tmp_path, name="g.npz"):
    p = tmp_path / name
    g.save(str(p))
    return cg.Graph.load(str(p))


def same_value(v1, v2):
    if type(v1) is not type(v2):
        return False
    a1, a2 = np.asarray(v1), np.asarray(v2)
    if a1.dtype != a2.dtype or a1.shape != a2.shape:
        return False
    if a1.dtype.kind in "fc":
        return np.array_equal(a1, a2, equal_nan=True) and \
            np.array_equal(np.signbit(a1.real), np.signbit(a2.real))
    return np.array_equal(a1, a2)


def same_attr(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
            a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(
            same_attr(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def assert_same_graph(g, h):
    assert len(h) == len(g)
    for n1, n2 in zip(g.nodes, h.nodes):
        assert n2.name == n1.name
        assert n2.op == n1.op
        assert [i.name for i in n2.inputs] == [i.name for i in n1.inputs]
        assert n2.shape == n1.shape, n1.name
        assert n2.dtype == n1.dtype, n1.name
        assert set(n2.attrs) == set(n1.attrs), n1.name
        for k in n1.attrs:
            assert same_attr(n1.attrs[k], n2.attrs[k]), (n1.name, k, n1.attrs[k], n2.attrs[k])
        if n1.op == "constant":
            assert same_value(n1.value, n2.value), (n1.name, n1.value, n2.value)
    assert [n.name for n in h.inputs] == [n.name for n in g.inputs]


def assert_same_results(g, h, outs, feeds):
    r1 = g.run(list(outs), feeds)
    r2 = h.run([o.name for o in outs], feeds)
    for o, x, y in zip(outs, r1, r2):
        assert x.dtype == y.dtype and x.shape == y.shape, o.name
        np.testing.assert_array_equal(x, y, err_msg=o.name)


def rich_graph():
    """A graph with many ops, attributes of every kind, constants and gradients."""
    g = cg.Graph()
    a = g.input("a", shape=(4, 5), dtype=np.float32)
    b = g.input("b", shape=(3, 5), dtype=np.float64)
    c = g.input("c")
    bb = g.input("bb", shape=(None, 5), dtype=np.float64)
    outs = [
        cg.sum(bb * 2.0, axis=0),
        cg.sum(a[1:, ::-2], axis=(0, 1), keepdims=True),
        a[np.array([0, 3, 3])],
        a[np.array([[1], [2]])],
        a[..., None, -1],
        a[1, 2:4],
        a[::2, np.array([1, 2])],
        a[-3:-1, :: 3],
        cg.astype(a, np.float64) * b[:1],
        cg.transpose(cg.reshape(a, (2, 10)), (1, 0)),
        cg.where(a > 0.5, a, 0.0),
        cg.clip(c, -1.0, None),
        cg.clip(a, None, 0.25),
        cg.stack([a, a], axis=-1),
        cg.concatenate([a, a], axis=1),
        cg.max(a, axis=1, keepdims=True),
        cg.min(b, axis=(0, 1)),
        cg.swapaxes(cg.expand_dims(b, 0), 0, 2),
        cg.squeeze(cg.expand_dims(b, 1), 1),
        cg.broadcast_to(b[:, :1], (3, 5)),
        S.sum_to(a, shape=(1, 5)),
        cg.astype(a > 0, np.int16),
        cg.matmul(a, cg.transpose(b).astype(np.float32)),
    ]
    loss = cg.sum(outs[2] * 2.0) + cg.sum(outs[8]) + cg.sum(outs[9] ** 2) + \
        cg.sum(outs[10]) + cg.sum(cg.tanh(outs[22])) + cg.sum(outs[15]) + cg.sum(outs[7])
    grads = g.gradients(loss, [a, b])
    rng = np.random.default_rng(0)
    feeds = {"a": rng.standard_normal((4, 5)).astype(np.float32),
             "b": rng.standard_normal((3, 5)), "c": np.array([-3.0, 0.5, 2.0]),
             "bb": rng.standard_normal((2, 5))}
    return g, outs + [loss, *grads], feeds


# --------------------------------------------------------------------------- round trips

def test_roundtrip_keeps_names_structure_and_results(tmp_path):
    g, outs, feeds = rich_graph()
    h = roundtrip(g, tmp_path)
    assert isinstance(h, cg.Graph)
    assert_same_graph(g, h)
    assert_same_results(g, h, outs, feeds)
    # the loaded graph is an ordinary graph: compile it, differentiate it again
    fn = h.compile([h[outs[-3].name]])
    np.testing.assert_array_equal(fn(**feeds)[0], g.run(outs[-3], feeds))
    (da,) = h.gradients(h[outs[-3].name], [h["a"]])
    np.testing.assert_allclose(h.run(da, feeds), g.run(outs[-2], feeds), rtol=1e-6)


def test_save_load_save_is_stable(tmp_path):
    g, outs, feeds = rich_graph()
    h = roundtrip(g, tmp_path, "one.npz")
    k = roundtrip(h, tmp_path, "two.npz")
    assert_same_graph(g, k)
    assert_same_results(g, k, outs, feeds)


def test_file_is_an_npz_without_object_arrays(tmp_path):
    g, _, _ = rich_graph()
    p = tmp_path / "g.npz"
    g.save(str(p))
    with np.load(str(p), allow_pickle=False) as z:
        assert "graph.json" in z.files
        for k in z.files:
            assert z[k].dtype.kind in "biufc", k
        doc = json.loads(bytes(z["graph.json"].astype(np.uint8)).decode("utf-8"))
    assert doc["format"] == "compgraph-graph" and doc["version"] == 1
    assert [n["name"] for n in doc["nodes"]] == [n.name for n in g.nodes]


def test_load_runs_no_pickle_and_no_eval(tmp_path, monkeypatch):
    g, outs, feeds = rich_graph()
    p = tmp_path / "g.npz"
    g.save(str(p))

    def forbidden(*a, **k):
        raise AssertionError("Graph.load must not unpickle or eval")

    import builtins
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    h = cg.Graph.load(str(p))
    monkeypatch.undo()
    assert_same_results(g, h, outs, feeds)


@pytest.mark.parametrize("value", [
    np.arange(5, dtype=np.int8), np.array([1.5, -2.0], np.float16),
    np.array([1.5, -2.25], np.float32), np.array([[1.0, np.nan], [np.inf, -0.0]]),
    np.array([1 + 2j, -1j], np.complex64), np.array([1 + 2j], np.complex128),
    np.array([True, False]), np.array(2 ** 63 + 5, dtype=np.uint64),
    np.array([-(2 ** 63)], dtype=np.int64), np.array([65535], np.uint16),
    np.array([-7], np.int32), np.zeros((0, 3)), np.float32(3.25), np.int64(-4),
    7, -2 ** 70, 2.5, True, False, float("inf"), float("-inf"), float("nan"), -0.0,
    1e-320, 0.1,
], ids=lambda v: f"{type(v).__name__}-{getattr(v, 'dtype', '')}-{str(v)[:12]}")
def test_constants_roundtrip_with_type_dtype_and_value(value, tmp_path):
    g = cg.Graph()
    k = g.constant(value, name="k")
    h = roundtrip(g, tmp_path)
    assert h["k"].op == "constant"
    assert same_value(k.value, h["k"].value), (k.value, h["k"].value)
    assert h["k"].shape == k.shape and h["k"].dtype == k.dtype


@pytest.mark.parametrize("index", [
    0, -1, slice(None), slice(1, None), slice(None, -1), slice(None, None, -1),
    slice(-4, -1, 2), (slice(None), 2), (Ellipsis, 1), (None, 0), (1, None, slice(0, 2)),
    np.array([0, 2, 2]), np.array([[0], [3]]), (slice(None), np.array([1, 0])),
    np.array([True, False, True, False]), (np.array([0, 1]), np.array([2, 3])),
], ids=repr)
def test_index_attributes_roundtrip(index, tmp_path):
    g = cg.Graph()
    a = g.input("a", shape=(4, 5), dtype=np.float64)
    y = a[index]
    h = roundtrip(g, tmp_path)
    assert_same_graph(g, h)
    x = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(h.run(y.name, {"a": x}), x[index])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_function_and_gradient_graphs_roundtrip(dtype, tmp_path):
    def loss(x, w):
        h = cg.tanh(x @ w)
        return cg.mean(cg.log_softmax(h, axis=1)) + cg.sum(cg.relu(w) ** 2)

    fg = cg.function(cg.grad(loss, argnums=(0, 1)))
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal((3, 2)).astype(dtype)
    g = fg.get_graph(x, w)
    h = roundtrip(g, tmp_path)
    assert_same_graph(g, h)
    outs = g.outputs()
    assert_same_results(g, h, outs, {"x": x, "w": w})
    res = h.run([o.name for o in outs], {"x": x, "w": w})
    for e in fg(x, w):
        matches = [r for r in res if r.shape == e.shape and r.dtype == dtype and np.allclose(
            r, e.numpy(), rtol=1e-5 if dtype is np.float32 else 1e-12)]
        assert matches, "the loaded graph must compute each gradient"


# --------------------------------------------------------------------------- malicious docs

def _base_doc(tmp_path):
    """The JSON document of a small saved graph (structure per the format docstring)."""
    g = cg.Graph()
    a = g.input("a", shape=(3,), dtype=np.float64)
    k = g.constant(np.array([1.0, 2.0, 3.0]), name="k")
    y = a * k
    cg.sum(y, axis=0)
    p = tmp_path / "base.npz"
    g.save(str(p))
    with np.load(str(p), allow_pickle=False) as z:
        doc = json.loads(bytes(z["graph.json"].astype(np.uint8)).decode("utf-8"))
        arrays = {n: z[n] for n in z.files if n != "graph.json"}
    names = [n["name"] for n in doc["nodes"]]
    assert [n["op"] for n in doc["nodes"]] == ["input", "constant", "multiply", "sum"], names
    return doc, arrays


def _write(tmp_path, doc=None, arrays=None, raw=None, name="bad.npz"):
    p = tmp_path / name
    payload = raw if raw is not None else json.dumps(doc).encode("utf-8")
    np.savez(str(p), **{"graph.json": np.frombuffer(payload, dtype=np.uint8)}, **(arrays or {}))
    return str(p)


def test_base_document_loads(tmp_path):
    """The unmodified document must load: the mutations below are the only fault."""
    doc, arrays = _base_doc(tmp_path)
    h = cg.Graph.load(_write(tmp_path, doc, arrays))
    np.testing.assert_array_equal(h.run(h.nodes[-1].name, {"a": np.ones(3)}), 6.0)


def _op(v):
    def m(doc, arrays):
        doc["nodes"][2]["op"] = v
    return m


def _attr(name, value):
    def m(doc, arrays):
        doc["nodes"][3]["attrs"][name] = value
    return m


def _sum_attr(name, value):
    def m(doc, arrays):
        doc["nodes"][3]["attrs"] = {name: value}
    return m


def _inputs(k, v):
    def m(doc, arrays):
        doc["nodes"][k]["inputs"] = v
    return m


def _top(key, value):
    def m(doc, arrays):
        if value is KeyError:
            del doc[key]
        else:
            doc[key] = value
    return m


def _dtype(v, node=0):
    def m(doc, arrays):
        doc["nodes"][node]["dtype"] = v
    return m


def _node(k, key, value):
    def m(doc, arrays):
        if value is KeyError:
            del doc["nodes"][k][key]
        else:
            doc["nodes"][k][key] = value
    return m


def _deep(doc, arrays):
    v = {"t": "int", "v": 0}
    for _ in range(100):
        v = {"t": "tuple", "v": [v]}
    doc["nodes"][3]["attrs"]["axis"] = v


def _object_array(doc, arrays):
    arrays["a0"] = np.array([1, "x", None], dtype=object)


def _astype_node(dtype_tag):
    def m(doc, arrays):
        doc["nodes"].append({"name": "cast", "op": "astype", "inputs": [0],
                             "attrs": {"dtype": dtype_tag}, "shape": [3], "dtype": None})
    return m


def _wrong_arity(doc, arrays):
    doc["nodes"][2]["inputs"] = [0, 1, 0]


def _dup_name(doc, arrays):
    doc["nodes"][2]["name"] = "a"


def _missing_array(doc, arrays):
    arrays.clear()


MUTATIONS = {
    # op names outside the registry
    "op os.system": _op("os.system"),
    "op eval": _op("eval"),
    "op __import__": _op("__import__"),
    "op builtins.exec": _op("builtins.exec"),
    "op numpy.save": _op("numpy.save"),
    "op __class__": _op("__class__"),
    "op dunder-code": _op("__import__('os').system('echo pwned')"),
    "op empty": _op(""),
    "op null": _op(None),
    "op number": _op(5),
    "op list": _op(["multiply"]),
    "op object": _op({"name": "multiply"}),
    # attribute names and values carrying code
    "attr name code": _attr("x=__import__('os')", {"t": "int", "v": 0}),
    "attr name call": _attr("__import__('os').system('echo pwned')", {"t": "none"}),
    "attr name dunder": _attr("__class__", {"t": "none"}),
    "attr name not a param": _attr("out", {"t": "none"}),
    "attr name empty": _attr("", {"t": "none"}),
    "attr value code float": _sum_attr("axis", {"t": "float", "v": "__import__('os')"}),
    "attr value unknown tag": _sum_attr("axis", {"t": "eval", "v": "0"}),
    "attr value pickle tag": _sum_attr("axis", {"t": "pickle", "v": "gASVAAAAAAAAAA=="}),
    "attr value int as string": _sum_attr("axis", {"t": "int", "v": "0"}),
    "attr value untagged": _sum_attr("axis", 0),
    "attr value missing array": _sum_attr("axis", {"t": "array", "v": "a99"}),
    "attr value graph.json array": _sum_attr("axis", {"t": "array", "v": "graph.json"}),
    "attr value slice of strings": _sum_attr("axis", {"t": "slice", "v": [
        {"t": "float", "v": "1.5"}, {"t": "none"}, {"t": "none"}]}),
    "attr value nested too deep": _deep,
    "attr dtype object": _astype_node({"t": "dtype", "v": "O"}),
    "attr dtype str": _astype_node({"t": "dtype", "v": "U5"}),
    "attr dtype code": _astype_node({"t": "dtype", "v": "__import__('os')"}),
    # references
    "input later node": _inputs(2, [0, 3]),
    "input self": _inputs(2, [0, 2]),
    "input nonexistent": _inputs(2, [0, 99]),
    "input negative": _inputs(2, [-1, 1]),
    "input float": _inputs(2, [0.0, 1]),
    "input bool": _inputs(2, [False, True]),
    "input string": _inputs(2, ["a", "k"]),
    "inputs not a list": _inputs(2, "0,1"),
    "input node with inputs": _inputs(0, [0]),
    "constant with inputs": _inputs(1, [0]),
    "wrong number of inputs": _wrong_arity,
    "no inputs": _inputs(3, []),
    # format and version
    "version 2": _top("version", 2),
    "version 0": _top("version", 0),
    "version string": _top("version", "1"),
    "version null": _top("version", None),
    "version true": _top("version", True),
    "version missing": _top("version", KeyError),
    "format other": _top("format", "onnx"),
    "format missing": _top("format", KeyError),
    "nodes not a list": _top("nodes", {"0": {}}),
    "nodes missing": _top("nodes", KeyError),
    # dtypes
    "dtype O": _dtype("O"),
    "dtype object": _dtype("object"),
    "dtype |O": _dtype("|O"),
    "dtype U10": _dtype("U10"),
    "dtype S3": _dtype("S3"),
    "dtype V8": _dtype("V8"),
    "dtype datetime": _dtype("M8[s]"),
    "dtype timedelta": _dtype("m8"),
    "dtype structured": _dtype("i4,i4"),
    "dtype subarray": _dtype("(2,)f8"),
    "dtype unknown": _dtype("not_a_dtype"),
    "dtype number": _dtype(8),
    "dtype on op node": _dtype("O", node=2),
    # other node fields
    "duplicate name": _dup_name,
    "empty name": _node(2, "name", ""),
    "name not a string": _node(2, "name", 3),
    "node not an object": lambda doc, arrays: doc["nodes"].__setitem__(2, ["multiply", 0, 1]),
    "shape float": _node(0, "shape", [3.0]),
    "shape negative": _node(0, "shape", [-3]),
    "shape string": _node(0, "shape", "3"),
    "recorded shape mismatch": _node(2, "shape", [4]),
    "attrs not an object": _node(3, "attrs", [1]),
    "constant without value": _node(1, "value", KeyError),
    "constant value not a number": _node(1, "value", {"t": "none"}),
    "constant value code": _node(1, "value", {"t": "float", "v": "os.system('x')"}),
    "constant array missing": _missing_array,
    "constant object array": _object_array,
}


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=list(MUTATIONS))
def test_malicious_or_corrupt_document_is_rejected_with_value_error(mutation, tmp_path):
    doc, arrays = _base_doc(tmp_path)
    doc, arrays = copy.deepcopy(doc), dict(arrays)
    MUTATIONS[mutation](doc, arrays)
    p = _write(tmp_path, doc, arrays)
    with pytest.raises(ValueError):
        cg.Graph.load(p)


def test_error_messages_name_the_problem(tmp_path):
    doc, arrays = _base_doc(tmp_path)
    cases = [(_op("os.system"), "os.system"),
             (_attr("x=__import__('os')", {"t": "none"}), "x=__import__('os')"),
             (_inputs(2, [0, 3]), "earlier"),
             (_top("version", 2), "version"),
             (_dtype("O"), "'O'")]
    for mutate, needle in cases:
        d, arr = copy.deepcopy(doc), dict(arrays)
        mutate(d, arr)
        with pytest.raises(ValueError, match="Graph.load") as info:
            cg.Graph.load(_write(tmp_path, d, arr))
        assert needle in str(info.value), (needle, str(info.value))


# --------------------------------------------------------------------------- corrupt files

_EXECUTED = []


def _mark_executed(*args):  # pragma: no cover - must never run
    _EXECUTED.append(args)
    return 0


class _Evil:
    def __reduce__(self):
        return (_mark_executed, ("pwned",))


def _saved_bytes(tmp_path):
    g, _, _ = rich_graph()
    p = tmp_path / "good.npz"
    g.save(str(p))
    return p.read_bytes()


@pytest.mark.parametrize("fraction", [0.0005, 0.01, 0.2, 0.5, 0.9, 0.999])
def test_truncated_file_is_rejected(fraction, tmp_path):
    data = _saved_bytes(tmp_path)
    n = max(1, int(len(data) * fraction))
    if fraction > 0.99:
        n = len(data) - 1
    p = tmp_path / "trunc.npz"
    p.write_bytes(data[:n])
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))


@pytest.mark.parametrize("kind", ["random", "PK+random", "empty", "text", "json"])
def test_garbage_file_is_rejected(kind, tmp_path):
    rng = np.random.default_rng(7)
    data = {"random": rng.bytes(2000), "PK+random": b"PK\x03\x04" + rng.bytes(2000),
            "empty": b"", "text": b"hello world\n",
            "json": json.dumps({"format": "compgraph-graph", "version": 1,
                                "nodes": []}).encode()}[kind]
    p = tmp_path / "junk.npz"
    p.write_bytes(data)
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))


def test_flipped_bytes_are_rejected_or_load_a_valid_graph(tmp_path):
    """Corrupting bytes inside the archive gives a ValueError (zip CRCs catch it)."""
    data = bytearray(_saved_bytes(tmp_path))
    rng = np.random.default_rng(11)
    p = tmp_path / "flip.npz"
    for pos in rng.integers(40, len(data) - 40, 8):
        bad = bytearray(data)
        bad[pos] ^= 0xFF
        p.write_bytes(bytes(bad))
        try:
            h = cg.Graph.load(str(p))
        except ValueError:
            continue
        assert isinstance(h, cg.Graph)


@pytest.mark.parametrize("kind", ["pickle", "evil pickle", "npy", "npy object"])
def test_pickle_and_npy_files_are_rejected_without_unpickling(kind, tmp_path):
    p = tmp_path / "x.npz"
    if kind == "pickle":
        p.write_bytes(pickle.dumps({"format": "compgraph-graph", "version": 1, "nodes": []}))
    elif kind == "evil pickle":
        p.write_bytes(pickle.dumps(_Evil()))
    elif kind == "npy":
        with open(p, "wb") as fh:
            np.save(fh, np.ones(3))
    else:
        with open(p, "wb") as fh:
            np.save(fh, np.array([_Evil()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))
    assert not _EXECUTED


@pytest.mark.parametrize("where", ["constant", "unreferenced", "graph.json"])
def test_npz_with_object_array_is_rejected_without_unpickling(where, tmp_path):
    doc, arrays = _base_doc(tmp_path)
    evil = np.array([_Evil(), 1], dtype=object)
    p = tmp_path / "obj.npz"
    if where == "graph.json":
        np.savez(str(p), **{"graph.json": evil})
    else:
        key = "a0" if where == "constant" else "zz"
        arrays[key] = evil
        np.savez(str(p), **{"graph.json": np.frombuffer(json.dumps(doc).encode(), np.uint8)},
                 **arrays)
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))
    assert not _EXECUTED


def test_archive_without_graph_json_is_rejected(tmp_path):
    p = tmp_path / "nograph.npz"
    np.savez(str(p), a0=np.ones(3))
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))


@pytest.mark.parametrize("member", ["graph.json", "graph.json.npy", "a0"])
def test_zip_with_raw_non_npy_members_is_rejected(member, tmp_path):
    """A zip whose members are not .npy arrays (e.g. raw JSON text) is malformed."""
    doc, arrays = _base_doc(tmp_path)
    p = tmp_path / "raw.npz"
    if member == "a0":
        _write(tmp_path, doc, {}, name="raw.npz")
        with zipfile.ZipFile(p, "a") as z:
            z.writestr("a0.npy", b"not an npy file")
    else:
        with zipfile.ZipFile(p, "w") as z:
            z.writestr(member, json.dumps(doc))
    with pytest.raises(ValueError):
        cg.Graph.load(str(p))


@pytest.mark.parametrize("raw", [b"\xff\xfe{", b"[1, 2]", b"NaN", b"{\"format\": ",
                                 b"[" * 100000 + b"]" * 100000],
                         ids=["bad utf8", "json list", "json nan", "truncated json",
                              "deeply nested json"])
def test_bad_graph_json_is_rejected(raw, tmp_path):
    with pytest.raises(ValueError):
        cg.Graph.load(_write(tmp_path, raw=raw))
