"""Settings files: ``--config PATH`` (pyproject.toml or parallelize.toml) and how unreadable TOML is reported."""

from __future__ import annotations

from pathlib import Path


def test_config_pyproject_replaces_discovery(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.parallelize]\nselect = ["PAR2"]\n')
    other = project / "ci"
    other.mkdir()
    (other / "pyproject.toml").write_text('[tool.parallelize]\nselect = ["PAR1"]\n')
    assert check(".")[0] == 0  # the discovered file selects PAR2 only
    assert check("--config", "ci/pyproject.toml", ".")[0] == 1
    (other / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.parallelize]: the defaults
    assert check("--config", "ci/pyproject.toml", ".")[0] == 1


def test_config_parallelize_toml_has_the_keys_at_top_level(project: Path, check) -> None:
    (project / "parallelize.toml").write_text('ignore = ["PAR101"]\n')
    assert check(".")[0] == 1  # parallelize.toml is not discovered, only named
    assert check("--config", "parallelize.toml", ".")[0] == 0
    (project / "parallelize.toml").write_text('[tool.parallelize]\nignore = ["PAR101"]\n')
    code, _, err = check("--config", "parallelize.toml", ".")
    assert code == 2
    assert "unknown key(s) tool" in err


def test_config_patterns_are_relative_to_the_config_folder(project: Path, check) -> None:
    code_dir = project / "cfg" / "code"
    code_dir.mkdir(parents=True)
    (code_dir / "job.py").write_text((project / "unsafe.py").read_text())
    (project / "cfg" / "parallelize.toml").write_text('[per-file-ignores]\n"code/*" = ["PAR1"]\n')
    assert check("--config", "cfg/parallelize.toml", "cfg")[0] == 0
    (project / "cfg" / "parallelize.toml").write_text('[per-file-ignores]\n"cfg/code/*" = ["PAR1"]\n')
    assert check("--config", "cfg/parallelize.toml", "cfg")[0] == 1


def test_config_missing_file_exits_2_with_one_line(project: Path, check) -> None:
    code, out, err = check("--config", "nowhere/parallelize.toml", ".")
    assert code == 2
    assert out == ""
    assert err == "parallelize check: error: nowhere/parallelize.toml: no such file\n"
    assert check("--config", ".", ".")[0] == 2  # a folder


def test_config_toml_syntax_error_names_file_and_line(project: Path, check) -> None:
    (project / "bad.toml").write_text('select = ["PAR1"]\nignore = [PAR2]\n')
    code, _, err = check("--config", "bad.toml", ".")
    assert code == 2
    assert err.startswith("parallelize check: error: bad.toml:2:")
    assert "invalid TOML" in err
    assert err.count("\n") == 1
    (project / "bad.toml").write_text('select = ["PAR1"')
    assert check("--config", "bad.toml", ".")[2].startswith("parallelize check: error: bad.toml:1: invalid TOML")


def test_discovered_pyproject_syntax_error_names_the_line(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.parallelize]\n\nselect = \n')
    code, _, err = check(".")
    assert code == 2
    assert f"{project / 'pyproject.toml'}:3:" in err


def test_config_and_isolated_conflict(project: Path, check) -> None:
    (project / "parallelize.toml").write_text("")
    code, _, err = check("--config", "parallelize.toml", "--isolated", ".")
    assert code == 2
    assert "--config and --isolated" in err


def test_config_values_are_validated_like_pyproject(project: Path, check) -> None:
    (project / "parallelize.toml").write_text('select = ["PAR7"]\n')
    code, _, err = check("--config", "parallelize.toml", ".")
    assert code == 2
    assert "parallelize.toml: unknown rule code or prefix 'PAR7'" in err
