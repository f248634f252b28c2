import sys
from pathlib import Path

# legacy_functions.py is imported by name here and by loky worker processes (which inherit sys.path).
sys.path.insert(0, str(Path(__file__).parent))
