"""Sorting a roll too big for one machine on a Ray cluster that is already running
(`photosort sort SOURCE --cluster ADDRESS`): Ray Data scores the photos on an actor pool,
this process records the scores and makes the journaled copies exactly as a local sort does.

Ray is an optional extra (pip install "photosort[cluster]"); nothing here imports it until
a cluster is asked for. The workers need photosort (with the extra) installed and the photos
and the library's models folder on shared storage at the same paths (docs/scale.md).
"""

from photosort.cluster.connection import INSTALL_MESSAGE, connect, connected, require_ray
from photosort.cluster.scoring import cluster_scorer, score_on_cluster

__all__ = ["INSTALL_MESSAGE", "cluster_scorer", "connect", "connected", "require_ray", "score_on_cluster"]
