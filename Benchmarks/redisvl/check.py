"""redisvl's SemanticCache.check on the same vectors RedisSemanticBenchmark uses,
so the Swift tier can be compared with it in the same run (`--redisvl`).

Reads float32 little-endian matrices written by the benchmark (stored vectors
and queries, 384 columns), stores each vector with `SemanticCache.store`
(redisvl's default index: FLAT, cosine), then times `check(vector=...)` for
every query, `--runs` times. Prints one JSON object: p50 in microseconds (the
median of the runs' p50s), top-1 agreement with exhaustive search, stores/s.
The cache's index and entries are deleted afterwards.
"""
import argparse
import json
import sys
import time

import numpy as np
from redisvl.extensions.cache.llm import SemanticCache
from redisvl.utils.vectorize import CustomVectorizer

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--stored", required=True)
parser.add_argument("--queries", required=True)
parser.add_argument("--dimensions", type=int, default=384)
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--name", default="llmcache-bench-redisvl")
args = parser.parse_args()

stored = np.fromfile(args.stored, dtype="<f4").reshape(-1, args.dimensions)
queries = np.fromfile(args.queries, dtype="<f4").reshape(-1, args.dimensions)
truth = np.argmax(queries @ stored.T, axis=1)

# The vectors are given to every call; the vectorizer only tells redisvl the dimension.
vectorizer = CustomVectorizer(embed=lambda text: [0.0] * (args.dimensions - 1) + [1.0])
# distance_threshold 2: cosine distance never exceeds 2, so every check returns its nearest entry.
cache = SemanticCache(name=args.name, distance_threshold=2.0, vectorizer=vectorizer,
                      redis_url=args.url, overwrite=True)
try:
    start = time.perf_counter()
    for index, vector in enumerate(stored):
        cache.store(prompt=f"stored {index}", response="A cached answer of a few hundred bytes. " * 8,
                    vector=vector.tolist())
    stores_per_second = len(stored) / (time.perf_counter() - start)

    p50s = []
    agreed = 0
    for _ in range(args.runs):
        samples = []
        agreed = 0
        for query, nearest in zip(queries, truth):
            vector = query.tolist()
            start = time.perf_counter()
            hits = cache.check(vector=vector)
            samples.append(time.perf_counter() - start)
            agreed += bool(hits) and hits[0]["prompt"] == f"stored {nearest}"
        p50s.append(float(np.median(samples)) * 1e6)
    json.dump({"entries": len(stored), "lookup_p50_us": float(np.median(p50s)),
               "top1_agreement": agreed / len(queries), "stores_per_second": stores_per_second},
              sys.stdout)
    print()
finally:
    cache.delete()
