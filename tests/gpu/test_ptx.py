"""The compile check (issue 14): every kernel of the test catalogue and the examples compiles for sm_80 and sm_90
with no GPU, through the decorator's own generated kernels, and assembles with ptxas.

These run on CI without a GPU. They need NVRTC and NVVM (the gpu extra's nvidia-cuda-nvrtc and nvidia-nvvm wheels);
without them they skip with that reason. A process running numba's CUDA simulator cannot compile for a device, so
the whole module skips there (the insim suite checks the error instead).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import kernels
import numpy as np
import pytest
from subprocess_env import child_env

from parallelize import GPUUnavailableError, KernelCompileError
from parallelize._decorators.gpu_kernel import gpu_kernel
from parallelize._gpu import detect, numba_cuda, ptx
from parallelize._gpu.kernel import GPUKernel


def _missing_compiler() -> str:
    for wheel in ("nvidia-cuda-nvrtc", "nvidia-nvvm"):
        try:
            importlib.metadata.version(wheel)
        except importlib.metadata.PackageNotFoundError:
            return f"{wheel} is not installed (pip install 'parallelize[gpu]')"
    if detect.simulator_in_process():
        return "this process runs numba's CUDA simulator, which has no compiler for a device"
    return ""


pytestmark = pytest.mark.skipif(bool(_missing_compiler()), reason=_missing_compiler() or "compiler present")
needs_ptxas = pytest.mark.skipif(not ptx.find_ptxas(), reason="ptxas not found (pip install nvidia-cuda-nvcc)")

ARCHS = ["sm_80", "sm_90"]
DTYPES = ["float32", "float64"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "gpu"


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"gpu_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # inspect.getsource (grid kernels) finds the module by name
    spec.loader.exec_module(module)
    return module


# Every kernel: (where, function, kind, scalar parameters, ndim). `test_catalogue_covers_every_kernel` keeps it whole.
CATALOGUE = [
    ("tests", kernels.saxpy, "elementwise", ("a",), 1),
    ("tests", kernels.mandel, "elementwise", (), 2),
    ("tests", kernels.smooth, "elementwise", (), 1),
    ("tests", kernels.cpu_cube.__wrapped__, "elementwise", (), 1),
    ("tests", kernels.scale_grid, "grid", ("factor",), 1),
    ("tests", kernels.guarded_grid, "grid", (), 1),
    ("tests", kernels.out_of_bounds_grid, "grid", (), 1),
    ("examples", _example("saxpy").saxpy, "elementwise", ("a",), 1),
    ("examples", _example("mandelbrot").escape_time, "elementwise", (), 2),
    ("examples", _example("monte_carlo_pi").inside, "elementwise", (), 1),
]
NOT_KERNELS = {"sum_of_cubes", "main", "numpy_mandelbrot"}


def _signature(func, kind: str, dtype: str) -> str:
    count = len(inspect.signature(func).parameters)
    return ("void" if kind == "grid" else "") + f"({', '.join([dtype] * count)}{',' if count == 1 else ''})"


def test_catalogue_covers_every_kernel():
    defined = {
        name
        for name, value in vars(kernels).items()
        if (inspect.isfunction(value) or isinstance(value, GPUKernel)) and value.__module__ == "kernels"
    }
    for name in ("saxpy", "mandelbrot", "monte_carlo_pi"):
        module = sys.modules[f"gpu_example_{name}"]
        defined |= {
            f"{name}.{n}" for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__
        }
    listed = {f.__name__ if where == "tests" else f"{f.__module__.removeprefix('gpu_example_')}.{f.__name__}"
              for where, f, *_ in CATALOGUE}
    assert defined - listed - NOT_KERNELS - {f"{m}.{n}" for m in ("saxpy", "mandelbrot", "monte_carlo_pi")
                                              for n in NOT_KERNELS} == set()


@needs_ptxas
@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("func", "kind", "scalars", "ndim"),
    [entry[1:] for entry in CATALOGUE],
    ids=[f"{entry[0]}-{entry[1].__name__}" for entry in CATALOGUE],
)
def test_every_kernel_compiles_and_assembles_for_each_arch(func, kind, scalars, ndim, dtype, arch):
    kernel = gpu_kernel(kind=kind)(func)
    result = kernel.compile_ptx(_signature(func, kind, dtype), cc=arch, scalars=scalars, ndim=ndim)
    assert re.search(rf"^\.target {arch}\b", result.ptx, re.MULTILINE), result.ptx[:400]
    assert result.arch == arch and result.kernel == func.__qualname__
    assert result.assembled, result.note
    entries = re.findall(r"\.entry\s+(\S+?)\(", result.ptx)
    assert [r.entry for r in result.resources if r.entry in entries] == entries
    assert result.registers is not None and result.registers > 0
    assert result.spill_bytes == 0, f"{func.__name__} spills on {arch}: {result.resources}"
    assert result.compile_s > 0 and result.assemble_s > 0


def test_the_check_compiles_the_kernels_a_launch_compiles(monkeypatch):
    generated, rewritten = [], []
    real_source, real_rewrite = numba_cuda.elementwise_source, numba_cuda.rewrite_grid_kernel
    monkeypatch.setattr(numba_cuda, "elementwise_source", lambda *a: generated.append(a) or real_source(*a))
    monkeypatch.setattr(numba_cuda, "rewrite_grid_kernel", lambda *a: rewritten.append(a) or real_rewrite(*a))
    saxpy = gpu_kernel(kernels.saxpy).compile_ptx("float32(float32, float32, float32)", scalars=("a",))
    gpu_kernel(kernels.mandel).compile_ptx("(float64, float64)", ndim=2)
    gpu_kernel(kind="grid")(kernels.scale_grid).compile_ptx("void(float32, float32, float32)", scalars=("factor",))
    assert generated == [(("s", "f", "f"), 1, "cuda"), (("b", "b"), 2, "cuda")]
    assert rewritten == [(kernels.scale_grid, "cuda")]
    # the generated loop is the entry, the scalar function a device function inside it
    assert re.search(r"\.entry\s+\S*6kernel", saxpy.ptx)


def _can_raise(x):
    if x < 0.0:
        raise ValueError("negative")
    return x * 2.0


@needs_ptxas
def test_a_kernel_that_can_raise_compiles_with_the_exception_check_as_on_a_device():
    checked = gpu_kernel(_can_raise).compile_ptx("(float64,)", cc="sm_90")
    plain = gpu_kernel(kernels.smooth).compile_ptx("(float64, float64)", cc="sm_90")
    assert re.search(r"^\.target sm_90, debug$", checked.ptx, re.MULTILINE)  # debug=True, opt=False
    assert re.search(r"^\.target sm_90$", plain.ptx, re.MULTILINE)
    assert checked.assembled and checked.registers > 0 and "ptxas -c" in checked.note


def _opens_a_file(x):
    y = x + 1.0
    handle = open("data.txt")
    return y + handle


def test_a_kernel_numba_cannot_compile_raises_the_error_a_launch_raises():
    with pytest.raises(KernelCompileError) as on_cuda:
        gpu_kernel(_opens_a_file).compile_ptx("float64(float64)", cc=(9, 0))
    with pytest.raises(KernelCompileError) as on_cpu:
        gpu_kernel(device="cpu")(_opens_a_file)(np.ones(3))
    line = _opens_a_file.__code__.co_firstlineno + 2
    for error in (on_cuda.value, on_cpu.value):
        assert (error.kernel, error.lineno, error.filename) == ("_opens_a_file", line, __file__)
    assert "for the cuda path" in str(on_cuda.value) and 'handle = open("data.txt")' in str(on_cuda.value)
    assert str(on_cuda.value).replace("cuda path", "cpu path") == str(on_cpu.value)


def test_a_grid_kernel_numba_cannot_compile_names_its_line():
    def grid(out):
        i = kernels.gpu.index()
        out[i] = open("data.txt")

    with pytest.raises(KernelCompileError) as info:
        gpu_kernel(kind="grid")(grid).compile_ptx("void(float32)")
    assert info.value.kernel.endswith("grid") and info.value.lineno == grid.__code__.co_firstlineno + 2


def test_signature_errors_say_what_to_pass():
    kernel = gpu_kernel(kernels.saxpy)
    with pytest.raises(ValueError, match="needs a signature"):
        kernel.compile_ptx()
    with pytest.raises(ValueError, match="takes 3 parameters; the signature gives 2"):
        kernel.compile_ptx("(float32, float32)")
    with pytest.raises(ValueError, match=r"no parameter\(s\) \['b'\]"):
        kernel.compile_ptx("(float32, float32, float32)", scalars=("b",))
    with pytest.raises(ValueError, match="compute capability"):
        kernel.compile_ptx("(float32, float32, float32)", cc="hopper")


def test_the_decorators_signature_is_used_by_default():
    kernel = gpu_kernel(signature="float32(float32, float32)")(_example("monte_carlo_pi").inside)
    assert ".target sm_80" in kernel.compile_ptx(cc=(8, 0)).ptx


def test_without_ptxas_the_ptx_is_checked_and_not_assembled(monkeypatch):
    monkeypatch.setattr(ptx, "find_ptxas", list)
    result = gpu_kernel(kernels.saxpy).compile_ptx("(float32, float32, float32)", scalars=("a",))
    assert not result.assembled and result.registers is None and result.spill_bytes is None
    assert result.note.startswith("ptxas not found: PTX checked, not assembled")
    assert ".target sm_90" in result.ptx and "not assembled" in result.summary()


def test_ptxas_output_is_parsed_per_entry_function():
    output = """ptxas info    : 0 bytes gmem
ptxas info    : Function properties for helper
    8 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Compiling entry function 'first' for 'sm_90'
ptxas info    : Function properties for first
    16 bytes stack frame, 4 bytes spill stores, 8 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 384 bytes cmem[0]
ptxas info    : Compiling entry function 'second' for 'sm_90'
ptxas info    : Function properties for second
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers, 368 bytes cmem[0]
"""
    first, second = ptx.parse_ptxas(output)
    assert first == ptx.KernelResources("first", 40, 4, 8, 16, 1024)
    assert second == ptx.KernelResources("second", 12, 0, 0, 0, 0)


@pytest.mark.parametrize(("cc", "arch"), [((9, 0), "sm_90"), ("sm_80", "sm_80"), ("8.6", "sm_86"), ("100", "sm_100")])
def test_arch_names(cc, arch):
    assert ptx.arch_name(cc) == arch
    assert ptx.arch_name(ptx.cc_tuple(arch)) == arch


CUDA_C = """
__global__ void axpy(float *out, const float *x, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a * x[i] + out[i];
}
"""


@needs_ptxas
@pytest.mark.skipif(not ptx.shutil.which("nvcc"), reason="nvcc not on PATH")
@pytest.mark.parametrize("arch", ARCHS)
def test_cuda_c_compiles_and_assembles_for_each_arch(arch):
    result = gpu_kernel.from_source(CUDA_C, "axpy").compile_ptx(cc=arch)
    assert re.search(rf"^\.target {arch}$", result.ptx, re.MULTILINE)
    assert [r.entry for r in result.resources] == ["axpy"] and result.registers > 0 and result.spill_bytes == 0


# A child process with no CUDA variable set: numba-cuda must find the wheels' libraries by itself.
FRESH = """
import json
import numpy as np
from parallelize import gpu_kernel

def saxpy(a, x, y):
    return a * x + y

result = gpu_kernel(saxpy).compile_ptx("float32(float32, float32, float32)", cc=(9, 0), scalars=("a",))
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libnvrtc" in line or "libnvvm" in line})
print(json.dumps({"target": ".target sm_90" in result.ptx, "libraries": libraries}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_wheels_libraries_are_found_with_no_environment_variable():
    env = {k: v for k, v in child_env().items()
           if not (k.startswith(("CUDA_", "NUMBA_", "NVIDIA_")) or k in {"LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH"})}
    done = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["target"]
    site = Path(importlib.metadata.distribution("nvidia-cuda-nvrtc").locate_file("nvidia")).resolve()
    assert {Path(p).name.split(".so")[0] for p in report["libraries"]} == {"libnvrtc", "libnvvm"}
    assert all(Path(p).resolve().is_relative_to(site) for p in report["libraries"]), (site, report)


def test_under_the_simulator_the_check_says_to_run_without_it():
    script = (
        "from parallelize import gpu_kernel\n"
        "try:\n"
        "    gpu_kernel(lambda x: x).compile_ptx('(float32,)')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False,
                          env=child_env(NUMBA_ENABLE_CUDASIM="1"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("GPUUnavailableError") and "NUMBA_ENABLE_CUDASIM" in done.stdout


def test_missing_compiler_libraries_become_gpu_unavailable(monkeypatch):
    class DynamicLibNotFoundError(RuntimeError):
        pass

    def fail(*args, **kwargs):
        raise DynamicLibNotFoundError("libnvrtc.so.13 not found")

    monkeypatch.setattr(numba_cuda, "_compile_ptx", fail)
    with pytest.raises(GPUUnavailableError, match=r"pip install 'parallelize\[gpu\]'.*libnvrtc\.so\.13"):
        gpu_kernel(kernels.smooth).compile_ptx("(float32, float32)")


@needs_ptxas
def test_info_compile_for_prints_each_probe_per_arch(capsys):
    from parallelize._info import run

    assert run(["--compile-for", "sm_80,sm_90"]) == 0
    out = capsys.readouterr().out
    for name in ("probe_saxpy", "probe_escape_time", "probe_checked_sqrt", "probe_scale"):
        for arch in ARCHS:
            line = next(line for line in out.splitlines() if f"{name} [{arch}]" in line)
            assert re.search(r"PTX in \d+\.\d+ s; \d+ registers, 0 bytes spilled", line), line
