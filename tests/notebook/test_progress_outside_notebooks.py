"""Outside a notebook, ``progress=True`` draws tqdm's text bar on stderr (the notebook widget is in
``test_notebook_kernel.py``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from notebook_kernel import python_environment

SCRIPT = textwrap.dedent("""
    import time
    from parallelize import parallel_for

    def slow_double(x):
        time.sleep(0.02)
        return 2 * x

    if __name__ == "__main__":
        print(parallel_for(n_jobs=2, loop=False, progress=True)(slow_double).map(range(8)))
""")


@pytest.mark.timeout(120)
def test_progress_in_a_script_is_a_text_bar_on_stderr(tmp_path: Path, kernel_cache_dir: str) -> None:
    script = tmp_path / "progress_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=100,
                          env=python_environment(kernel_cache_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([2 * x for x in range(8)])
    final = done.stderr.replace("\r", "\n").splitlines()
    assert any("100%|" in line and "8/8" in line for line in final), done.stderr
    assert "widget" not in done.stdout + done.stderr
