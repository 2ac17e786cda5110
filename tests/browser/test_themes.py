"""Every widget and rich display, in JupyterLab Light and then Dark (picked as a person does, in
Settings > Theme): a screenshot of each, and the contrast of every piece of text over the
background it is drawn on, measured in the browser, at least WCAG AA (4.5:1, 3:1 for large text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import BROWSER, SHOTS, pick_theme, run_all_cells, write_notebook

pytestmark = BROWSER

# A notebook that shows each widget with every kind of row it can show (errors, warnings, statuses),
# on fakes, so no cloud is needed for colours.
CELLS = [
    '''
import json
from types import SimpleNamespace
from coworks import NotFound, TechMicroService, entry
from coworks.biz import Pass, Task, Workflow
from coworks.cloud.deploy.plan import Action, Plan
from coworks.cloud.logs.records import LogRecord
from coworks.notebook import DeployPanel, EndpointCaller, LogViewer, WorkflowView


class Shop(TechMicroService):
    """A shop."""

    @entry
    def get_item(self, item_id: int):
        if item_id > 10:
            raise NotFound("No such item.")
        return {"id": item_id}


app = Shop()
app
''',
    '''
caller = EndpointCaller(app)
caller.select("get_item")
caller.fill(item_id=3)
caller.send()
caller.fill(item_id=11)
caller.send()
caller
''',
    '''
class Deployment:
    service, url = "shop", "https://abc.execute-api.eu-west-1.amazonaws.com/dev"
    actions = (Action("create", "iam role", "shop-dev"), Action("create", "lambda function", "shop-dev"),
               Action("create", "http api", "shop-dev"))

    def plan(self):
        return Plan("shop", "dev", "eu-west-1", self.actions)

    def apply(self, progress=None):
        progress(1, 3, self.actions[0], "start")
        progress(1, 3, self.actions[0], "done")
        progress(2, 3, self.actions[1], "start")
        progress(2, 3, self.actions[1], "failed")
        raise RuntimeError("role not ready; deploy again")


class Cloud:
    region, account, endpoint_url = "eu-west-1", "123456789012", None

    def deploy(self, target, stage="dev", settings=None):
        return Deployment()


panel = DeployPanel("shop:app", cloud=Cloud())
panel.apply(confirmed=True)
panel
''',
    '''
T0 = 1_796_000_000_000
lines = ["START RequestId: 1 Version: 1", json.dumps({"level": "ERROR", "msg": "boom"}), "WARNING low stock",
         "DEBUG cache hit", "an ordinary line", "REPORT RequestId: 1 Duration: 2 ms"]
records = [LogRecord(T0 + i, f"2026/11/30/[1]{i % 3:012d}", line, f"{i:08d}") for i, line in enumerate(lines)]


class LogCloud:
    def logs(self, target, since="15m", until=None, pattern=None, follow=False, *, stage="dev"):
        return records


viewer = LogViewer(LogCloud(), "shop", since="1d")
viewer
''',
    '''
def charge(payload):
    raise RuntimeError("card declined")


flow = Workflow("pay", Pass("Start") >> Task("Charge", "arn:aws:lambda:us-east-1:1:function:charge"))
view = WorkflowView(flow)
view
''',
    '''
view.run({}, services={"arn:aws:lambda:us-east-1:1:function:charge": charge}).status
''',
]

WIDGETS = {
    "service": ".jp-OutputArea-output table",
    "endpoint-caller": ".coworks-endpoint-caller",
    "deploy-panel": ".coworks-deploy-panel",
    "log-viewer": ".coworks-log-viewer",
    "workflow-view": ".coworks-workflow-view",
}

# Every visible piece of text under the element: its colour over the first opaque background
# behind it (translucent layers blended on the way), and WCAG's contrast ratio of the two.
CONTRAST = """(root) => {
  const parse = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("svg, option, style, script")) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden" || style.display === "none") continue;
    const back = background(element);
    const fore = over(parse(style.color), back);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    found.push({text: text.slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05), needed: large ? 3 : 4.5,
                colour: style.color, background: `rgb(${back.slice(0, 3).map(Math.round).join(",")})`});
  }
  return found;
}"""


def _measure(page: Any, theme: str) -> dict[str, list[dict[str, Any]]]:
    """Screenshot each widget and return the text that reads below AA in it (empty lists: all fine)."""
    low: dict[str, list[dict[str, Any]]] = {}
    for name, selector in WIDGETS.items():
        widget = page.locator(selector).first
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(SHOTS / f"theme-{theme}-{name}.png"))
        texts = widget.evaluate(CONTRAST)
        assert texts, f"{name} shows no text in the {theme} theme"
        low[name] = [t for t in texts if t["ratio"] < t["needed"]]
    return low


def test_every_widget_reads_at_aa_contrast_in_the_light_and_the_dark_theme(lab: str, page: Any,
                                                                         tmp_path: Path) -> None:
    from playwright.sync_api import expect

    write_notebook(tmp_path / "notebooks" / "themes.ipynb", CELLS)
    run_all_cells(page, lab.replace("quickstart.ipynb", "themes.ipynb"))
    for selector in WIDGETS.values():
        expect(page.locator(selector).first).to_be_visible(timeout=90_000)
    view = page.locator(".coworks-workflow-view").last
    expect(view.locator(".coworks-header")).to_contain_text("FAILED", timeout=60_000)  # the run recoloured it
    expect(page.locator(".coworks-log-viewer .coworks-log-row").first).to_be_visible()
    expect(page.locator(".coworks-deploy-panel .coworks-error").last).to_be_visible()

    light = _measure(page, "light")
    pick_theme(page, "JupyterLab Dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false", timeout=30_000)
    page.wait_for_function("getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim()"
                           ".toLowerCase() === '#111'")
    dark = _measure(page, "dark")
    page.screenshot(path=str(SHOTS / "theme-dark.png"))
    for theme, low in (("light", light), ("dark", dark)):
        for name, texts in low.items():
            assert not texts, f"in the {theme} theme, {name} has text below AA: {texts[:5]}"
