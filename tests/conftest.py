import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Tests never write into the user's data folder, and parallel workers never share one: each
# test process gets its own (a test that needs another sets SIPHON_DATA_DIR itself).
_DATA = tempfile.TemporaryDirectory(prefix="siphon-tests-")
os.environ["SIPHON_DATA_DIR"] = _DATA.name
