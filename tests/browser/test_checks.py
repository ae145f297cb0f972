"""The checks every visited page passes do catch what they look for."""
import pytest

from .checks import accessibility_violations, phone_layout_problems, tab_to

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html><html lang="en"><head><title>Faults</title></head><body><main>
<h1>Faults</h1>
<p style="color: #aaa; background: #fff">Pale grey text on white.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<div class="card" style="width: 200px"><span style="white-space: nowrap">A very long line in a narrow card</span>
</div>
<p style="width: 600px">Wider than a phone.</p>
<button style="padding: 0; font-size: 12px">Tiny</button>
<input aria-label="Faint" style="border: 1px solid #ddd; min-height: 44px">
<p><button style="min-height: 44px">Make a new link</button><button style="min-height: 44px">Revoke</button></p>
</main></body></html>"""


def test_faults_are_reported(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_content(FAULTY)
    violations = "\n".join(accessibility_violations(page))
    assert "axe color-contrast" in violations and "axe image-alt" in violations
    problems = "\n".join(phone_layout_problems(page))
    assert "on a 360 px phone" in problems and "p (right edge" in problems
    assert "text overflows its card: div.card" in problems
    assert 'button "Tiny"' in problems
    assert 'control bounds under 3:1: input "" 1.36:1' in problems
    assert 'controls run together: "Make a new link" and "Revoke" 0 px apart' in problems
    assert page.viewport_size["width"] == 1280
    page.close()


def test_a_focus_nobody_sees_is_reported(browser):
    page = browser.new_page()
    page.set_content('<a href="#a" style="outline: 3px solid blue">Seen</a>'
                     '<button style="outline: none">Unseen</button><input id="after">')
    with pytest.raises(AssertionError, match='no focus ring on button "Unseen"'):
        tab_to(page, "#after")
    page.close()
