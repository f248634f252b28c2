"""Column statistics over many chunks of a table (serial, legacy style)."""

import numpy as np

rng = np.random.default_rng(1)
chunks = [rng.normal(size=(500, 8)) for _ in range(40)]

total_rows = 0
grand_sum = np.zeros(8)
largest = float("-inf")
chunk_means = []
for chunk in chunks:
    total_rows += len(chunk)
    grand_sum += chunk.sum(axis=0)
    largest = max(largest, float(chunk.max()))
    chunk_means.append(chunk.mean(axis=0))

print("rows:", total_rows)
print("column means:", np.round(grand_sum / total_rows, 3))
print("largest value:", round(largest, 3), "from", len(chunk_means), "chunks")
