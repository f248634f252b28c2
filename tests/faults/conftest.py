import sys
from pathlib import Path

# conformance.py and tests/tasks.py are helpers, imported by name (and by worker processes through sys.path).
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "dask"))  # dask_cluster.py, for the fault matrix
