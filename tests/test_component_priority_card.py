"""components.priority_card: the home page's card of a priority, and its "changed since" marker."""

from __future__ import annotations

from components.priority_card import changed_marker
from kcsp.vocabulary import MARKER
from tests.component_tree import by_class, text


def test_the_marker_says_changed_with_its_shape_and_a_link_or_unchanged():
    changed = changed_marker(changed=True, text="2 actions moved.", href="/meeting")
    assert "changed-yes" in changed.className and "Changed since the last meeting:" in text(changed)
    assert by_class(changed, "changed-shape")[0].children == MARKER["changed"].shape
    assert "What changed" in text(changed)
    unchanged = changed_marker(changed=False, text="No change.", href=None)
    assert "changed-no" in unchanged.className and text(unchanged).endswith("No change.")
