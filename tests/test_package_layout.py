"""The package's import graph: models/ never imports datasets/, and no module imports one that
(directly or through others) imports it back, counting the imports run when a module loads
(those inside functions run later, on first use)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / 'mmseg_heritage'


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def load_time_imports(tree: ast.Module):
    """Import statements at module level, also inside module-level if/try blocks."""
    nodes = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try)):
            nodes += node.body + node.orelse + getattr(node, 'finalbody', []) + [
                statement for handler in getattr(node, 'handlers', [])
                for statement in handler.body]


def import_graph() -> dict:
    """{module: the package's modules it imports when it loads}."""
    paths = {module_name(p): p for p in PACKAGE.rglob('*.py')}
    graph = {}
    for name, path in paths.items():
        package = name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
        targets = set()
        for node in load_time_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ''
            if node.level:
                parts = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(parts + ([node.module] if node.module else []))
            for alias in node.names:  # `from . import x` imports the module x
                targets.add(f'{base}.{alias.name}' if f'{base}.{alias.name}' in paths else base)
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def cycles(graph: dict) -> list:
    """Every cycle a depth-first search meets, as a list of modules."""
    state, path, found = {}, [], []

    def visit(module):
        state[module] = 'open'
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 'open':
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 'done'

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_models_never_import_datasets():
    graph = import_graph()
    assert len(graph) > 100  # the whole package was read
    assert {(module, target) for module, targets in graph.items() for target in targets
            if module.startswith('mmseg_heritage.models')
            and target.startswith('mmseg_heritage.datasets')} == set()


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_a_cycle_is_found():
    graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
    assert cycles(graph) == [['a', 'b', 'c', 'a']]
