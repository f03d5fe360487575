"""No import circles among ceremony's and hsm's modules: if module A imports B,
B never imports A, directly or through others. A circle makes the import order
matter and ties two modules into one; the import-linter layers cannot see a
circle inside one layer, so this test looks for them. Imports under
``if TYPE_CHECKING:`` name types only and do not count (as in the import-linter
contracts); imports inside functions do."""

from collections.abc import Iterable, Mapping

import grimp
import pytest


def circles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each set of modules that import one another round a circle, sorted
    (Tarjan's strongly connected components, without recursion)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(imports):
        if start in order:
            continue
        walk = [(start, iter(sorted(imports[start])))]
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        while walk:
            module, onward = walk[-1]
            imported = next(onward, None)
            if imported is not None:
                if imported not in order:
                    order[imported] = low[imported] = len(order)
                    stack.append(imported)
                    on_stack.add(imported)
                    walk.append((imported, iter(sorted(imports.get(imported, ())))))
                elif imported in on_stack:
                    low[module] = min(low[module], order[imported])
                continue
            walk.pop()
            if walk:
                low[walk[-1][0]] = min(low[walk[-1][0]], low[module])
            if low[module] == order[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def project_imports(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """For each ceremony and hsm module, the ceremony and hsm modules it imports."""
    ours = {m for m in graph.modules if m.split(".")[0] in ("ceremony", "hsm")}
    return {m: graph.find_modules_directly_imported_by(m) & ours for m in ours}


def describe(circle: list[str], graph: grimp.ImportGraph) -> str:
    """The circle's modules and, for each import between them, where it is."""
    lines = [f"circle of {len(circle)} modules: {', '.join(circle)}"]
    for importer in circle:
        for imported in circle:
            if importer != imported and graph.direct_import_exists(
                    importer=importer, imported=imported):
                where = graph.get_import_details(importer=importer, imported=imported)
                lines += [f"  {importer} -> {imported} (line {d['line_number']}:"
                          f" {d['line_contents']})" for d in where]
    return "\n".join(lines)


def test_no_import_circles() -> None:
    graph = grimp.build_graph("ceremony", "hsm", exclude_type_checking_imports=True)
    found = circles(project_imports(graph))
    if found:
        pytest.fail("import circles:\n" + "\n".join(describe(c, graph) for c in found),
                    pytrace=False)


#: loops that close through type names alone (docs/design/architecture.md, "No import
#: circle"): none is left, and none may come back
TYPE_LOOPS: list[list[str]] = []


def test_no_new_loop_through_type_names() -> None:
    graph = grimp.build_graph("ceremony", "hsm", exclude_type_checking_imports=False,
                              cache_dir=None)
    found = [c for c in circles(project_imports(graph)) if c not in TYPE_LOOPS]
    if found:
        pytest.fail("import circles through type names:\n"
                    + "\n".join(describe(c, graph) for c in found), pytrace=False)


def test_a_circle_is_found_and_named() -> None:
    # a -> b -> c -> a is one circle; d sits on none; e <-> f is another
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"),
                               ("p.a", "p.d"), ("p.e", "p.f"), ("p.f", "p.e")]:
        graph.add_import(importer=importer, imported=imported, line_number=1,
                         line_contents=f"import {imported}")
    found = circles({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    assert found == [["p.a", "p.b", "p.c"], ["p.e", "p.f"]]
    assert describe(found[1], graph) == (
        "circle of 2 modules: p.e, p.f\n"
        "  p.e -> p.f (line 1: import p.f)\n"
        "  p.f -> p.e (line 1: import p.e)")

