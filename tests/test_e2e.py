"""End to end: the real app on a free port, driven by gradio_client and headless Chromium."""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ANSWER_KEYS, SEED, private_tmp, start_app

CHROMIUM = "/usr/bin/chromium"
PHONE = "13912345678"  # a refused input that must not reach the log
CORPUS_PAYLOAD = "<img src=x onerror=alert(7)><script>alert(8)</script>"
USER_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1)) **粗体**\n\n<b>x</b>",
    '"><svg onload=alert(1)>',
    "😀🎉 上半年新增了多少就业岗位?",
]


pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, built_index: Path) -> Iterator[str]:
    work = tmp_path_factory.mktemp("app")
    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    # An article carrying markup: the page must show it as text, never run it.
    (corpus / "markup.txt").write_text(
        f"{CORPUS_PAYLOAD}标题\n\n{CORPUS_PAYLOAD}新增口袋公园12个。\n", encoding="utf-8"
    )
    shutil.copytree(built_index, work / "index")  # the app rebuilds it: the corpus changed
    env = {"TMPDIR": str(private_tmp(work)), "GRADIO_TEMP_DIR": str(private_tmp(work) / "gradio")}
    proc, url = start_app(work, ["--corpus", str(corpus), "--index", str(work / "index")], env)
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    record = work / "network-attempts.txt"
    attempts = record.read_text(encoding="utf-8") if record.exists() else ""
    assert attempts == "", f"the app tried to reach the network:\n{attempts}"
    # one log line per request, with the text's length and hash but never the text
    logged = (work / "app.log").read_text(encoding="utf-8")
    assert "request endpoint=ask" in logged and "request endpoint=chat" in logged
    assert "新增就业岗位" not in logged and "新增市重大项目" not in logged and PHONE not in logged
    assert "Traceback" not in logged  # a refusal is one line, not a traceback quoting the input
    # nothing the users typed is left in the app's temporary folder (checks, exports, refusals)
    typed = [t.encode("utf-8") for t in ("新增就业岗位", "新增市重大项目", "400多家", PHONE)]
    left = [p for p in private_tmp(work).rglob("*") if p.is_file() and any(t in p.read_bytes() for t in typed)]
    assert left == [], left


def test_gradio_api_returns_the_json_contract(app_url: str):
    from gradio_client import Client

    result = Client(app_url, verbose=False).predict("上半年新增了多少就业岗位?", api_name="/ask")
    assert result["found"] is True
    assert result["answer"] == "持续打响“创富武进”品牌,新增就业岗位5.7万个。"
    assert list(result) == ANSWER_KEYS
    follow = Client(app_url, verbose=False).predict("增长多少?", ["九大重点产业集群产值多少?"], api_name="/ask")
    assert follow["found"] and "增长10.68%" in follow["answer"]
    assert follow["interpreted"] == "九大重点产业集群产值增长多少?"
    checked = Client(app_url, verbose=False).predict("新增市重大项目46个", api_name="/verify")
    assert checked["verdict"] == "contradicted" and checked["figures"][0]["source"] == "34个"
    rounded = Client(app_url, verbose=False).predict("新增外资项目四十余个", api_name="/verify")
    assert rounded["verdict"] == "supported" and rounded["figures"][0]["reading"] == "40–49个"
    from gradio_client.exceptions import AppError

    for endpoint, bad, message in [
        ("/ask", PHONE, "only a number"),
        ("/ask", "", "empty"),
        ("/ask", "问" * 600, "limit is 500"),
        ("/verify", "?!", "no words"),
    ]:
        with pytest.raises(AppError, match=message):
            Client(app_url, verbose=False).predict(bad, api_name=endpoint)


def test_verify_tab_shows_badges_and_exports(app_url: str, browser):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(app_url)
    page.get_by_role("tab", name="核实数字").click()
    page.fill("#vf-input textarea", "上半年武进旅游总收入超过100亿元,新增就业岗位5.7万个,新增省创新型中小企业400多家。")
    page.click("#vf-send")
    page.wait_for_selector(".vf-table", timeout=30_000)
    rows = page.locator(".vf-table tbody tr")
    assert rows.count() == 3
    assert "不一致" in rows.nth(0).inner_text() and "95.37亿元" in rows.nth(0).inner_text()
    assert "一致" in rows.nth(1).inner_text()
    assert "400多家(400–499家) → 原文 428家:一致" in rows.nth(2).inner_text()  # the interval in words
    # the two downloads are made in memory and carried by the links (nothing on the server's disk)
    href = page.get_attribute('a[download="核实结果.csv"]', "href") or ""
    assert href.startswith("data:text/csv;charset=utf-8;base64,")
    csv = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    assert csv.startswith("\ufeff") and "95.37亿元" in csv and "400多家" in csv
    assert page.locator('a[download="核实结果.md"]').count() == 1


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs the Debian package chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


def ask_in_page(page, question: str, n: int) -> None:  # type: ignore[no-untyped-def]
    page.fill("#qa-input textarea", question)
    page.click("#qa-send")
    page.wait_for_function("n => document.querySelectorAll('.qa-answer').length >= n", arg=n, timeout=30_000)


def test_chat_shows_the_quote_with_its_citation(app_url: str, browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844})  # phone width
    dialogs: list[str] = []
    page.on("dialog", lambda d: [dialogs.append(d.message), d.dismiss()])  # type: ignore[func-returns-value]
    page.goto(app_url)
    page.wait_for_selector("#qa-input textarea", timeout=30_000)
    ask_in_page(page, "上半年新增了多少就业岗位?", 1)
    answer = page.locator(".qa-answer").last
    assert "新增就业岗位5.7万个" in answer.locator(".qa-quote").inner_text()
    assert "第 5 段" in answer.locator(".qa-cite").inner_text()
    assert answer.locator("mark.fig", has_text="5.7万个").count() >= 1
    ask_in_page(page, "武进区上半年GDP是多少?", 2)
    assert "原文中未找到" in page.locator(".qa-answer").last.inner_text()
    n = 2
    for payload in USER_PAYLOADS:
        n += 1
        ask_in_page(page, payload, n)
        shown = page.locator("#qa-chat").inner_text()
        assert payload.split("\n")[0] in shown, payload
    n += 1
    ask_in_page(page, "新增口袋公园多少个?", n)
    answer = page.locator(".qa-answer").last
    assert "新增口袋公园12个" in answer.inner_text()
    answer.locator("summary").first.click()
    assert CORPUS_PAYLOAD in answer.inner_text()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("#qa-chat script, #qa-chat img[src=x], #qa-chat svg[onload]").count() == 0
    # a follow-up is completed from the chat's own earlier questions, and says how it was read
    n += 1
    ask_in_page(page, "九大重点产业集群产值多少?", n)
    n += 1
    ask_in_page(page, "增长多少?", n)
    answer = page.locator(".qa-answer").last
    assert "增长10.68%" in answer.locator(".qa-quote").inner_text()
    assert "按“九大重点产业集群产值增长多少?”理解" in answer.locator(".qa-understood").inner_text()
    n += 1
    ask_in_page(page, "新增了几所学效", n)
    assert "按“新增了几所学校”理解" in page.locator(".qa-answer").last.inner_text()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page is {width}px wide at phone width"
