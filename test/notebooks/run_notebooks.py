"""Runs every notebook headless through the Jupyter protocol, then the kernel protocol tests.

    [NASBOOK_SCALE=quick] /usr/bin/python3 test/notebooks/run_notebooks.py [NOTEBOOK ...] [--html OUTDIR] [--scale smoke]

Each notebook is one test: it executes with the nasbook kernel (installed into a temporary
JUPYTER_PATH by scripts/install-kernel.js) at NASBOOK_SCALE=smoke and passes when no cell fails
and every tagged cell produced what its tag promises:
    expect-figure  a plotly figure (application/vnd.plotly.v1+json)
    expect-table   an HTML <table>
    expect-text    any output at all
At smoke scale each notebook's runs/<notebook>/smoke/ is removed first, so stored trials are
trained again rather than replayed. Results are printed as TAP as they happen, so scripts/test.js can stream and count them.
Needs Jupyter's Python (Debian: python3-nbclient, python3-nbconvert, python3-jupyter-kernel-test).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent.parent
PLOTLY_MIME = "application/vnd.plotly.v1+json"
KERNEL_NAME = "nasbook"


def has_figure(output):
    return PLOTLY_MIME in output.get("data", {})


def has_table(output):
    return "<table" in output.get("data", {}).get("text/html", "")


def has_text(output):
    return bool(output.get("text") or output.get("data"))


EXPECTATIONS = {
    "expect-figure": ("a plotly figure", has_figure),
    "expect-table": ("an HTML <table>", has_table),
    "expect-text": ("any output", has_text),
}


class Tap:
    """Writes TAP version 13 and keeps the counts."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.emit("TAP version 13")

    @staticmethod
    def emit(line):
        print(line, flush=True)

    def note(self, text):
        for line in text.rstrip("\n").splitlines():
            self.emit(f"# {line}")

    def ok(self, name):
        self.passed += 1
        self.emit(f"ok {self.total} - {name}")

    def not_ok(self, name, detail):
        self.failed += 1
        self.emit(f"not ok {self.total} - {name}")
        self.note(detail)

    def skip(self, name, reason):
        self.skipped += 1
        self.emit(f"ok {self.total} - {name} # SKIP {reason}")

    @property
    def total(self):
        return self.passed + self.failed + self.skipped

    def summary(self):
        self.emit(f"1..{self.total}")
        self.emit(f"# pass {self.passed}")
        self.emit(f"# fail {self.failed}")
        self.emit(f"# skip {self.skipped}")


def install_kernel(prefix):
    """Installs the kernelspec under `prefix` and puts it first on JUPYTER_PATH."""
    node = os.environ.get("NODE") or shutil.which("node")
    if node is None:
        raise SystemExit("node not found: put it on PATH or set NODE.")
    subprocess.run([node, str(ROOT / "scripts" / "install-kernel.js"), "--prefix", prefix], check=True,
                   stdout=sys.stderr)
    data_dir = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [data_dir, os.environ.get("JUPYTER_PATH")]))


def indent(text):
    return textwrap.indent(text.rstrip("\n"), "    ")


def outputs_text(cell):
    """What a failed cell printed: tslab reports errors on stderr, not as error outputs."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]))
    return "".join(parts) or "(no output)"


def unmet_expectations(nb):
    problems = []
    for index, cell in enumerate(nb.cells):
        for tag in cell.get("metadata", {}).get("tags", []):
            if not tag.startswith("expect-"):
                continue
            if tag not in EXPECTATIONS:
                problems.append(f"cell {index}: unknown tag {tag} (known: {', '.join(EXPECTATIONS)})")
                continue
            what, check = EXPECTATIONS[tag]
            if not any(check(output) for output in cell.get("outputs", [])):
                problems.append(f"cell {index} ({tag}) did not produce {what}:\n{indent(cell.source)}")
    return problems


def execute(nb, path, timeout):
    """Runs the notebook in place; returns a failure description or None."""
    failed = []
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL_NAME, timeout=timeout, resources={"metadata": {"path": str(path.parent)}},
        on_cell_error=lambda cell, cell_index, execute_reply: failed.append(cell_index),
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        index = failed[0]
        cell = nb.cells[index]
        return f"cell {index} failed:\n{indent(cell.source)}\n  error:\n{indent(outputs_text(cell))}"
    except nbclient.exceptions.CellTimeoutError as error:
        return f"a cell ran past {timeout} s: {error}"
    except nbclient.exceptions.DeadKernelError as error:
        return f"the kernel died: {error}"
    except Exception as error:  # noqa: BLE001 - one notebook's failure must not stop the others
        return f"the notebook could not run: {type(error).__name__}: {error}"
    problems = unmet_expectations(nb)
    return "\n".join(problems) if problems else None


def write_html(nb, path, out_dir):
    from nbconvert import HTMLExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out_dir / path.name))
    body, _ = HTMLExporter().from_notebook_node(nb)
    (out_dir / path.with_suffix(".html").name).write_text(body, encoding="utf-8")


def run_notebook(tap, path, args):
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    if args.scale == "smoke":
        # Notebooks resume their run directories (runs/<notebook>/<scale>/); a test must train, not replay.
        shutil.rmtree(ROOT / "runs" / path.stem / "smoke", ignore_errors=True)
    tap.note(f"running {name}")
    nb = nbformat.read(str(path), as_version=4)
    started = time.monotonic()
    problem = execute(nb, path, args.timeout)
    seconds = time.monotonic() - started
    if args.html is not None:
        write_html(nb, path, args.html)
    if problem is None:
        tap.ok(f"{name} ({seconds:.1f} s)")
    else:
        tap.not_ok(f"{name} ({seconds:.1f} s)", problem)


class TapResult(unittest.TestResult):
    """Reports each protocol test (and each failing subtest) as a TAP line."""

    def __init__(self, tap):
        super().__init__()
        self.tap = tap

    def addSuccess(self, test):
        self.tap.ok(f"kernel protocol: {test.id()}")

    def addFailure(self, test, err):
        self.tap.not_ok(f"kernel protocol: {test.id()}", self._exc_info_to_string(err, test))

    addError = addFailure

    def addSkip(self, test, reason):
        self.tap.skip(f"kernel protocol: {test.id()}", reason or "not applicable to tslab")

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.addFailure(subtest, err)


def run_protocol_tests(tap):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    suite = unittest.defaultTestLoader.loadTestsFromName("test_kernel")
    suite.run(TapResult(tap))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--html", type=Path, help="write executed notebooks and their HTML here")
    parser.add_argument("--scale", help="NASBOOK_SCALE for the kernels (default: $NASBOOK_SCALE, else smoke)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds one cell may run (default: 900)")
    args = parser.parse_args()
    from_env = os.environ.get("NASBOOK_SCALE") or None
    if args.scale and from_env and args.scale != from_env:
        parser.error(f"--scale {args.scale} conflicts with NASBOOK_SCALE={from_env}; give one of them")
    args.scale = args.scale or from_env or "smoke"
    return args


def main():
    args = parse_args()
    os.environ["NASBOOK_SCALE"] = args.scale
    paths = [path.resolve() for path in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="nasbook-jupyter-") as prefix:
        install_kernel(prefix)
        for path in paths:
            run_notebook(tap, path, args)
        run_protocol_tests(tap)
    tap.summary()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
