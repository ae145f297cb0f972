"""What every page the browser tests visit must pass: axe-core's WCAG 2.1 A and AA rules, a phone's
360 px width (no page and no card wider), touch targets of 44 px, a gap between controls side by side,
controls' bounds at 3:1;
and screenshots of the main pages."""
from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
# Written by the tests, never committed (.gitignore); docs/screenshots holds the few the README shows.
SCREENSHOTS = Path(__file__).with_name("screenshots")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_WIDTH = 360
TOUCH_TARGET = 44

AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result =>
  result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))"""
# Elements sticking out past the viewport's right edge, and cards whose text overflows them.
OVERFLOWS = """() => {
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const text = e => (e.textContent || '').trim().slice(0, 60);
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
    .slice(0, 8).map(e => `${name(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px): ${text(e)}`);
  const cards = [...document.querySelectorAll('.card, .comment, .flash, .box')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .slice(0, 8).map(e => `${name(e)} (${e.scrollWidth} px in ${e.clientWidth} px): ${text(e)}`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide, cards};
}"""
# Controls a finger presses, shorter than a touch target: buttons, button-like links, fields, and the
# label around a checkbox or a radio button (the label is what one presses).
SMALL_TARGETS = """size => {
  const shown = e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
    && !e.closest('.visually-hidden, details:not([open]) > :not(summary)');
  const controls = [...document.querySelectorAll(
      'button, a.button, nav a, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ' +
      'label:has(> input[type=checkbox]), label:has(> input[type=radio]), summary')]
    .filter(shown).filter(e => e.getBoundingClientRect().height < size - 0.5);
  return controls.slice(0, 10).map(e => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim()
    .slice(0, 40)}" ${Math.round(e.getBoundingClientRect().height)} px high`);
}"""

# Buttons (or a button and a link or a field) side by side with less than a gap between them: they read
# as one ("Make a new link Revoke") and are easy to press one for the other.
RUN_TOGETHER = """gap => {
  const shown = e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
    && !e.closest('.visually-hidden, details:not([open]) > :not(summary)');
  const label = e => `"${(e.textContent || e.value || e.name || '').trim().slice(0, 30)}"`;
  const controls = [...document.querySelectorAll('a[href], button, select, input:not([type=hidden])')].filter(shown);
  const buttons = new Set(controls.filter(e => e.matches('button, a.button, select, input[type=submit]')));
  const found = [];
  controls.forEach((a, i) => controls.slice(i + 1).forEach(b => {
    if (!buttons.has(a) && !buttons.has(b) || a.contains(b) || b.contains(a)) return;
    const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
    const sameRow = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 4;
    const apart = Math.max(rb.left - ra.right, ra.left - rb.right);
    if (sameRow && apart < gap) found.push(`${label(a)} and ${label(b)} ${Math.round(apart)} px apart`);
  }));
  return found.slice(0, 8);
}"""
CONTROL_GAP = 8
# Fields and buttons whose bounds (border, or a button's own background) show less than 3:1 against what
# is behind them (WCAG 1.4.11; axe checks the contrast of text only).
FAINT_CONTROLS = """minimum => {
  const rgb = c => { const m = c.match(/[\\d.]+/g) || []; return m.length >= 3 && (m[3] === undefined || +m[3] > 0)
    ? m.slice(0, 3).map(Number) : null; };
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const behind = e => { for (let p = e.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor); if (c) return c; } return [255, 255, 255]; };
  const shown = e => e.getClientRects().length && !e.closest('.visually-hidden, details:not([open]) > :not(summary)');
  const found = [];
  const controls = document.querySelectorAll('select, textarea, button, a.button, ' +
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])');
  for (const e of controls) {
    if (!shown(e)) continue;
    const style = getComputedStyle(e), ground = behind(e);
    const own = rgb(style.backgroundColor), border = parseFloat(style.borderTopWidth) > 0 && rgb(style.borderTopColor);
    const best = Math.max(border ? ratio(border, ground) : 1, own ? ratio(own, ground) : 1);
    const bounded = border || own && ratio(own, ground) > 1.01;
    if (bounded && best < minimum) found.push(`${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim()
      .slice(0, 30)}" ${best.toFixed(2)}:1`);
  }
  return found.slice(0, 8);
}"""
CONTROL_CONTRAST = 3

# The focused element, and why its focus cannot be seen (None when it can: a ring of 2 px or more).
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  if (e === document.body) return {label: 'body', invisible: null};  // past the last control: the browser's own
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const text = (e.textContent || e.name || '').trim().slice(0, 40);
  const label = `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${text}"`;
  return {label, invisible: ring || style.boxShadow !== 'none' ? null : `no focus ring on ${label}`};
}"""
TAB_LIMIT = 120


@cache
def axe_source():
    """axe-core's script, read once (installed by npm ci in tests/js)."""
    return AXE.read_text()


def check_page(page):
    """Fail unless the page passes axe's WCAG 2.1 A/AA rules and fits a 360 px phone with touch-sized controls."""
    problems = accessibility_violations(page) + phone_layout_problems(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def accessibility_violations(page):
    """axe-core's WCAG 2.1 A and AA violations on the page, one readable line per element."""
    page.add_script_tag(content=axe_source())
    return [f"axe {v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node['summary']}"
            for v in page.evaluate(AXE_RUN, WCAG_TAGS) for node in v["nodes"]]


def phone_layout_problems(page):
    """What does not fit on a 360 px wide phone: the page wider than the screen, text overflowing its
    card, controls too small to press, run together or too faint to see; the page is seen at 360 px
    and given back its size."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        layout = page.evaluate(OVERFLOWS)
        small = page.evaluate(SMALL_TARGETS, TOUCH_TARGET)
        together = page.evaluate(RUN_TOGETHER, CONTROL_GAP)
        faint = page.evaluate(FAINT_CONTROLS, CONTROL_CONTRAST)
    finally:
        page.set_viewport_size(size)
    problems = []
    if layout["scrollWidth"] > layout["innerWidth"]:
        problems.append(f"page {layout['scrollWidth']} px wide on a {layout['innerWidth']} px phone")
        problems += [f"  too wide: {line}" for line in layout["wide"]]
    problems += [f"text overflows its card: {line}" for line in layout["cards"]]
    problems += [f"touch target under {TOUCH_TARGET} px: {line}" for line in small]
    problems += [f"controls run together: {line}" for line in together]
    problems += [f"control bounds under {CONTROL_CONTRAST}:1: {line}" for line in faint]
    return problems


def tab_to(page, selector):
    """Press Tab until the element matching selector has the focus, as someone using a keyboard does;
    fail if some element on the way shows no focus, or if the element is never reached."""
    for _ in range(TAB_LIMIT):
        # A field with autofocus may have it already.
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["invisible"] is None, f"{page.url}: {focused['invisible']}"
    raise AssertionError(f"{page.url}: {selector} not reached in {TAB_LIMIT} presses of Tab")


def screenshot(page, name):
    """Save the whole page as screenshots/<name>-<width>.png (the folder the tests write)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png", full_page=True)
