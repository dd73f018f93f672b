"""The catalog's embedding cache."""

from __future__ import annotations

import numpy as np



def test_embeddings_round_trip(catalog):
    vectors = {"a" * 32: np.arange(1280, dtype=np.float32), "b" * 32: np.ones(1280, dtype=np.float32)}
    catalog.put_embeddings("efficientnet_lite0", 0, vectors)
    catalog.put_embeddings("efficientnet_lite0", 1, {"a" * 32: -np.ones(1280, dtype=np.float32)})
    got = catalog.get_embeddings(["a" * 32, "b" * 32, "c" * 32], "efficientnet_lite0", 0)
    assert set(got) == {"a" * 32, "b" * 32}
    np.testing.assert_array_equal(got["a" * 32], vectors["a" * 32])
    assert catalog.get_embeddings(["a" * 32], "efficientnet_lite0", 1)["a" * 32][0] == -1
    assert catalog.get_embeddings(["a" * 32], "mobilenet_v2", 0) == {}
    assert catalog.embedding_count("efficientnet_lite0") == 3
    # One at a time, as the sorting threads ask:
    np.testing.assert_array_equal(catalog.embedding("b" * 32, "efficientnet_lite0"), vectors["b" * 32])
    assert catalog.embedding("a" * 32, "efficientnet_lite0", 1)[0] == -1
    assert catalog.embedding("c" * 32, "efficientnet_lite0") is None
    assert catalog.embedding("a" * 32, "mobilenet_v2") is None
