"""Fixtures for the loader tests: the shared Flyte test data and a no-disk-writes guard."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = Path("peer/flyte-compiler-testdata/flytepropeller/pkg/compiler/test/testdata")


def shared_dir() -> Path:
    """The project's shared folder, next to the repository checkout."""
    return (REPO_ROOT / ".." / "shared").resolve()


def require_shared(relative: Path) -> Path:
    """A path under the shared folder; missing data fails under CI and skips elsewhere."""
    path = shared_dir() / relative
    if not path.exists():
        message = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def testdata() -> Path:
    """Flyte's compiler test data (snacks-core, compiled, branch, dynamic)."""
    return require_shared(TESTDATA)


Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every path under ``root`` with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def no_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Run in an empty working folder; call the fixture's value to freeze ``tmp_path``.

    At teardown the working folder must still be empty and ``tmp_path`` as frozen.
    """
    cwd = tmp_path.parent / f"{tmp_path.name}-cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    frozen: list[Snapshot] = []

    def freeze() -> None:
        frozen.append(snapshot(tmp_path))

    yield freeze
    assert list(cwd.iterdir()) == [], "the loader wrote into the working folder"
    if frozen:
        assert snapshot(tmp_path) == frozen[0], "the loader wrote next to its input"


class Samples:
    """Named fixtures from Flyte's test data, one per accepted message."""

    def __init__(self, root: Path) -> None:
        self.root = root
        snacks = root / "snacks-core"
        self.snacks = snacks
        self.task_spec = snacks / "000_core.containerization.multi_images.svm_trainer_1.pb"
        self.workflow_spec = snacks / "002_core.containerization.multi_images.my_workflow_2.pb"
        #: A WorkflowSpec with sub_workflows (it does not parse as a WorkflowClosure).
        self.workflow_spec_with_subs = snacks / "064_core.control_flow.subworkflows.parent_wf_2.pb"
        self.launch_plan = snacks / "003_core.containerization.multi_images.my_workflow_3.pb"
        self.workflow_closure = root / "branch" / "success_1.json"
        self.compiled_closure = (
            snacks / "compiled" / "002_core.containerization.multi_images.my_workflow_2_wf.json"
        )
        self.compiled_subworkflow = (
            snacks / "compiled" / "062_core.control_flow.subworkflows.my_subwf_2_wf.json"
        )
        self.compiled_task = (
            snacks / "compiled" / "000_core.containerization.multi_images.svm_trainer_1_task.json"
        )
        self.dynamic_job = root / "dynamic" / "success_1.json"


@pytest.fixture(scope="session")
def samples(testdata: Path) -> Samples:
    """Paths of one fixture per message kind."""
    return Samples(testdata)


def write_tar(path: Path, members: list[tuple[str, bytes]], mode: str = "w:gz") -> Path:
    """Write an archive of regular members (in the order given) and return its path."""
    import io
    import tarfile

    with tarfile.open(path, mode) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def make_tar() -> Callable[..., Path]:
    """:func:`write_tar` as a fixture."""
    return write_tar
