"""Reading a Dash component tree in tests: its text, its ids, its components by class or id."""

from __future__ import annotations

from collections.abc import Iterator

from dash.development.base_component import Component


def walk(node) -> Iterator[Component]:
    """Every component in the tree, depth first (children and component-valued props, such as labels)."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
    elif isinstance(node, Component):
        yield node
        for name in node._prop_names:
            value = getattr(node, name, None)
            if isinstance(value, Component | list | tuple):
                yield from walk(value)
            elif name == "options" and isinstance(value, list):
                yield from walk([o.get("label") for o in value if isinstance(o, dict)])


def text(node) -> str:
    """All the text a reader meets, in order, space-joined."""
    parts: list[str] = []

    def collect(n) -> None:
        if isinstance(n, str | int | float) and not isinstance(n, bool):
            parts.append(str(n))
        elif isinstance(n, list | tuple):
            for child in n:
                collect(child)
        elif isinstance(n, Component):
            collect(getattr(n, "children", None))
            options = getattr(n, "options", None)
            if isinstance(options, list):
                collect([o.get("label") for o in options if isinstance(o, dict)])

    collect(node)
    return " ".join(p for p in parts if p.strip())


def ids(node) -> list:
    return [c.id for c in walk(node) if getattr(c, "id", None) is not None]


def by_class(node, name: str) -> list[Component]:
    return [c for c in walk(node) if name in str(getattr(c, "className", "") or "").split()]


def by_id(node, wanted) -> Component:
    return next(c for c in walk(node) if getattr(c, "id", None) == wanted)


def attr(component: Component, name: str):
    """A prop or a data-*/aria-* attribute of a component."""
    value = getattr(component, name, None)
    return value if value is not None else component.to_plotly_json()["props"].get(name)
