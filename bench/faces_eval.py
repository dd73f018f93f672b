"""How well photosort.faces does on the shared photos: detection, speed, "me", portrait vs group.

    python bench/faces_eval.py                       # all figures (a few minutes on 2 cores)
    python bench/faces_eval.py --seeds 10 --json bench/out/faces_eval.json

- Detection: photos with at least one face, per folder, at the default threshold and with the
  recall setting used for blurring.
- Speed: detection alone (and detection + embeddings) per 640×480 COCO photo, decoding excluded.
- "Me" (faces/me, 30) against "others" (faces/others, 33): per seed, half of each side (a
  stratified split) defines the person (me) and the negatives (others); the other half is
  judged by person_score >= 0.5. F1 of "me", mean and minimum over seeds.
- Portrait against group (people/, 50 + 50) from face features only: a face-count threshold
  and a logistic regression on the count alone and on both face_features, each fitted on one half, judged on the other;
  macro F1, mean and minimum over seeds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import common  # noqa: F401  (puts the checkout on sys.path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Measure photosort.faces on the shared photos.")
    parser.add_argument("--seeds", type=int, default=10, help="random splits per figure (default 10)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    return parser


def _f1(truth, pred) -> float:
    import numpy as np

    truth, pred = np.asarray(truth, bool), np.asarray(pred, bool)
    tp = float((truth & pred).sum())
    denom = 2 * tp + float((truth & ~pred).sum()) + float((~truth & pred).sum())
    return 2 * tp / denom if denom else 1.0


def _split(n: int, rng):
    idx = rng.permutation(n)
    return idx[: n // 2], idx[n // 2:]


def _logistic(x, y, steps: int = 2000, l2: float = 1e-3):
    """Plain gradient-descent logistic regression (numpy only): (weights, bias, mean, std)."""
    import numpy as np

    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.5 * (z.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    return lambda q: 1 / (1 + np.exp(-(((q - mu) / sd) @ w + b)))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import numpy as np

    from photosort import faces
    from photosort.images import open_oriented

    folders = ["people/portrait", "people/group", "faces/me", "faces/others", "scenes/forest", "scenes/street"]
    rgbs = {f: [np.asarray(open_oriented(p)) for p in sorted((common.DATASETS / f).glob("*.jpg"))] for f in folders}
    found = {f: [faces.detect_faces(r) for r in rs] for f, rs in rgbs.items()}
    recall = {f: [faces.detect_for_blurring(r) for r in rs] for f, rs in rgbs.items()}
    result: dict = {"detection": {}, "seeds": args.seeds}
    print(f"{'folder':18} {'photos':>6} {'with a face':>12} {'faces':>6}  (recall setting: with a face, faces)")
    for f in folders:
        n = len(found[f])
        hit = sum(bool(p.faces) for p in found[f])
        rhit = sum(bool(p.faces) for p in recall[f])
        count, rcount = sum(len(p.faces) for p in found[f]), sum(len(p.faces) for p in recall[f])
        result["detection"][f] = {"photos": n, "with_face": hit, "faces": count,
                                  "recall_with_face": rhit, "recall_faces": rcount}
        print(f"{f:18} {n:6} {hit:12} {count:6}  ({rhit}, {rcount})")

    coco = rgbs["people/portrait"] + rgbs["people/group"]
    eng = faces.engine()
    timings = {}
    for label, embed in (("detect_ms", False), ("detect_embed_ms", True)):
        start, cpu = time.perf_counter(), time.process_time()
        for r in coco:
            eng.detect(r, embed=embed)
        timings[label] = 1000 * (time.perf_counter() - start) / len(coco)
        timings[label.replace("_ms", "_cpu_ms")] = 1000 * (time.process_time() - cpu) / len(coco)
    result["speed_per_640x480"] = timings
    print("per 640x480 photo: detection {detect_ms:.1f} ms (CPU {detect_cpu_ms:.1f}), "
          "with embeddings {detect_embed_ms:.1f} ms (CPU {detect_embed_cpu_ms:.1f})".format(**timings))

    me, others = found["faces/me"], found["faces/others"]
    f1s = {"with_negatives": [], "without_negatives": []}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        (tm, jm), (to, jo) = _split(len(me), rng), _split(len(others), rng)
        for key, negs in (("with_negatives", [others[i] for i in to]), ("without_negatives", [])):
            person = faces.build_person([me[i] for i in tm], negatives=negs)
            judged = [me[i] for i in jm] + [others[i] for i in jo]
            truth = [True] * len(jm) + [False] * len(jo)
            f1s[key].append(_f1(truth, [faces.person_score(person, p) >= 0.5 for p in judged]))
    result["me_f1"] = {k: {"mean": float(np.mean(v)), "min": float(np.min(v))} for k, v in f1s.items()}
    for k, v in result["me_f1"].items():
        print(f"'me' vs others, F1 of 'me' ({k.replace('_', ' ')}): mean {v['mean']:.3f}, min {v['min']:.3f}")

    portrait, group = found["people/portrait"], found["people/group"]
    feats = np.array([faces.face_features(p) for p in portrait + group])
    is_group = np.array([False] * len(portrait) + [True] * len(group))
    macro = {"count_threshold": [], "logistic_count": [], "logistic_count_and_size": []}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        (tp, jp), (tg, jg) = _split(len(portrait), rng), _split(len(group), rng)
        train = np.concatenate([tp, len(portrait) + tg])
        judge = np.concatenate([jp, len(portrait) + jg])

        def macro_f1(pred):
            return (_f1(is_group[judge], pred) + _f1(~is_group[judge], ~pred)) / 2

        counts = np.expm1(feats[:, 0]).round()
        best = max(range(1, 8), key=lambda t: macro_f1_on(train, counts >= t, is_group))
        macro["count_threshold"].append(macro_f1(counts[judge] >= best))
        for key, cols in (("logistic_count", [0]), ("logistic_count_and_size", [0, 1])):
            model = _logistic(feats[train][:, cols], is_group[train].astype(float))
            macro[key].append(macro_f1(model(feats[judge][:, cols]) >= 0.5))
    result["portrait_group_macro_f1"] = {k: {"mean": float(np.mean(v)), "min": float(np.min(v))} for k, v in macro.items()}
    for k, v in result["portrait_group_macro_f1"].items():
        print(f"portrait vs group, macro F1 ({k.replace('_', ' ')}): mean {v['mean']:.3f}, min {v['min']:.3f}")
    common.write_json(args.json, result)
    return 0


def macro_f1_on(rows, pred_all, is_group) -> float:
    """Macro F1 of a prediction over all photos, restricted to rows (fitting the threshold)."""
    pred, truth = pred_all[rows], is_group[rows]
    return (_f1(truth, pred) + _f1(~truth, ~pred)) / 2


if __name__ == "__main__":
    raise SystemExit(main())
