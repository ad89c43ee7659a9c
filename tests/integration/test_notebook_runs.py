"""docs/quickstart.ipynb runs top to bottom on a real kernel, and its views render."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is a dev extra (pip install -e '.[dev]')"
)
nbclient = pytest.importorskip("nbclient", reason="nbclient is a dev extra")
pytest.importorskip("ipykernel", reason="ipykernel is a dev extra")
pytest.importorskip("matplotlib", reason="matplotlib is the notebook extra's")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "quickstart.ipynb"
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"


def test_the_quickstart_executes_and_shows_plan_report_and_chart(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The committed notebook carries no outputs (they would differ on every run).
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")

    nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    plain = [o["data"]["text/plain"] for o in outputs if "text/plain" in o.get("data", {})]
    assert any(page.startswith('<div class="alchemiser">') and "Plan " in page for page in html)
    assert any("Limit check: allowed" in page for page in html)
    assert any(text.startswith("ExecutionReport(completed,") for text in plain)
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the weights chart


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_a_plans_html_renders_in_a_real_browser(tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no Chromium: .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from tests.unit.test_notebook import _plan

    page = tmp_path / "plan.html"
    assert CHROMIUM is not None
    page.write_text(f"<html><body>{_plan()._repr_html_()}</body></html>", encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "plan_repr_html.png"
    screenshot.unlink(missing_ok=True)

    subprocess.run(  # noqa: S603 - the system's Chromium on a local file
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={screenshot}", "--window-size=900,320", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    # A PNG of the full window: Chromium drew the page (a blank tab would still be a
    # PNG, so the size shows there was something on it).
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 5_000
