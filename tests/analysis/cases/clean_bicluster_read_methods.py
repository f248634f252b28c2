"""Accepted (issue 12): a fitted biclustering estimator's `get_shape`, `get_indices` and `get_submatrix` return its
rows and columns and change nothing (scikit-learn's plot_bicluster_newsgroups)."""
from parallelize import parallel_for


@parallel_for
def summaries(cocluster, best, X):
    out = []
    for cluster in best:
        n_rows, n_cols = cocluster.get_shape(cluster)
        rows, cols = cocluster.get_indices(cluster)
        out.append((n_rows, n_cols, cocluster.get_submatrix(cluster, X).sum(), len(rows) + len(cols)))
    return out
