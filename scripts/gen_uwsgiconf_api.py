"""Generate ``uwsgi_lint/catalog/uwsgiconf.json``: uwsgiconf's API as data.

It imports the uwsgiconf LIBRARY (never a user file) in one interpreter per released
version, reads every options group, method and signature, the class-level constants, the
preset classes and the package's importable names, and, with the newest version, probes
what each method parameter writes: every parameter is passed alone (a distinctive string,
True, False, an int, a list of two strings) to the method of a fresh ``Section`` and the
section's options are compared before and after.

    python scripts/gen_uwsgiconf_api.py                       # pip-installs every version
    python scripts/gen_uwsgiconf_api.py --python 2.4.0=/venv/bin/python ...

``--python`` may be repeated; the newest version given is probed.  Without it, each of
``VERSIONS`` is installed with pip into a virtual environment under a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VERSIONS = ("1.0.0", "2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.3.1", "2.4.0")
OUT = Path(__file__).resolve().parent.parent / "uwsgi_lint" / "catalog" / "uwsgiconf.json"

# Classes a file constructs, by the name the evaluator knows them by.
NAMED_KINDS = {
    "uwsgiconf.config.Section": "Section",
    "uwsgiconf.config.Configuration": "Configuration",
    "uwsgiconf.presets.nice.Section": "nice.Section",
    "uwsgiconf.presets.nice.PythonSection": "PythonSection",
    "uwsgiconf.presets.empire.Broodlord": "Broodlord",
    "uwsgiconf.options.workers.MuleFarm": "MuleFarm",
}
# Modules a file imports names from (the child reads what each holds).
MODULES = (
    "uwsgiconf",
    "uwsgiconf.config",
    "uwsgiconf.presets",
    "uwsgiconf.presets.nice",
    "uwsgiconf.presets.empire",
    "uwsgiconf.options",
    "uwsgiconf.options.workers",
    "uwsgiconf.options.workers_cheapening",
    "uwsgiconf.options.networking",
    "uwsgiconf.options.networking_sockets",
    "uwsgiconf.options.main_process",
    "uwsgiconf.options.main_process_actions",
)
PROBE_INT = 7
PROBE_LIST = ["probe-a", "probe-b"]


# --- the child: runs inside an interpreter that has uwsgiconf --------------------------


def _child(probe: bool) -> dict[str, Any]:
    import contextlib
    import importlib
    import inspect

    from uwsgiconf.base import OptionsGroup
    from uwsgiconf.config import Section

    version = importlib.import_module("uwsgiconf").VERSION
    if isinstance(version, tuple):
        version = ".".join(map(str, version))

    groups = {
        name: attr.opt_type
        for name, attr in vars(Section).items()
        if type(attr).__name__ == "Options"
    }
    kind_of: dict[int, str] = {}
    for dotted, kind in NAMED_KINDS.items():
        module, _, name = dotted.rpartition(".")
        with contextlib.suppress(ImportError, AttributeError):
            kind_of[id(getattr(importlib.import_module(module), name))] = kind

    def literal(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)
        return None

    def signature(func: Any, *, skip_self: bool = True) -> dict[str, Any]:
        sig = inspect.signature(func)
        params = []
        var_keyword = False
        var_positional = False
        for param in sig.parameters.values():
            if param.kind is param.VAR_KEYWORD:
                var_keyword = True
                continue
            if param.kind is param.VAR_POSITIONAL:
                var_positional = True
                continue
            if skip_self and param.name in ("self", "cls"):
                continue
            if param.name.startswith("_"):
                continue
            has_default = param.default is not param.empty
            params.append(
                {
                    "name": param.name,
                    "positional": param.kind is param.POSITIONAL_OR_KEYWORD,
                    "required": not has_default,
                    "default": literal(param.default) if has_default else None,
                }
            )
        return {"params": params, "var_keyword": var_keyword, "var_positional": var_positional}

    def public_methods(cls: type, *, base: type | None) -> dict[str, Any]:
        methods = {}
        for name in dir(cls):
            if name.startswith("_") and name != "_set":
                continue
            attr = inspect.getattr_static(cls, name)
            if isinstance(attr, staticmethod | classmethod):
                func = attr.__func__
            elif inspect.isfunction(attr):
                func = attr
            else:
                continue
            if base is not None and getattr(base, name, None) is getattr(cls, name, None):
                continue  # inherited unchanged: reported with the base
            methods[name] = signature(func)
            methods[name]["classmethod"] = isinstance(attr, classmethod)
        return methods

    def constructor(cls: type) -> dict[str, Any]:
        """The keyword arguments a class takes, following ``**kwargs`` up its bases."""
        own = next(k.__dict__["__init__"] for k in cls.__mro__ if "__init__" in k.__dict__)
        if issubclass(cls, OptionsGroup) and not signature(own)["params"]:
            return signature(cls.set_basic_params)  # OptionsGroup(*args, **kwargs) passes on
        merged: dict[str, Any] = {"params": [], "var_keyword": False, "var_positional": False}
        seen = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            sig = signature(init)
            for param in sig["params"]:
                if param["name"] not in seen:
                    seen.add(param["name"])
                    merged["params"].append(param)
            merged["var_positional"] = merged["var_positional"] or sig["var_positional"]
            if not sig["var_keyword"]:
                merged["var_keyword"] = False
                break
            merged["var_keyword"] = True
            if klass.__module__ == "uwsgiconf.config":
                break  # Section swallows what is left
        return merged

    constants: dict[str, Any] = {}
    kinds: dict[str, Any] = {}

    def kind_name(cls: type, path: str) -> str:
        return kind_of.setdefault(id(cls), path)

    def is_namespace(cls: type) -> bool:
        return (
            "__init__" not in vars(cls)
            and cls.__bases__ == (object,)
            and not issubclass(cls, OptionsGroup)
        )

    def walk(cls: type, path: str, depth: int) -> None:
        for name, attr in vars(cls).items():
            if name.startswith("_"):
                continue
            here = f"{path}.{name}" if path else name
            if isinstance(attr, classmethod | staticmethod):
                continue
            if inspect.isclass(attr):
                if is_namespace(attr):
                    if depth < 4:
                        walk(attr, here, depth + 1)
                    continue
                kind = kind_name(attr, here)
                constants[here] = {"kind": kind}
                if kind not in kinds:
                    kinds[kind] = {"class": f"{attr.__module__}:{attr.__qualname__}"}
                    if depth < 4:
                        walk(attr, kind, depth + 1)
            elif not callable(attr) and not isinstance(attr, property):
                value = literal(attr)
                if value is not None or attr is None:
                    constants[here] = value

    group_info: dict[str, Any] = {}
    methods: dict[str, Any] = {"": public_methods(Section, base=None)}
    for name, cls in sorted(groups.items()):
        own_basic = "set_basic_params" in vars(cls)
        plugin = cls.plugin if isinstance(cls.plugin, str) else bool(cls.plugin)
        group_info[name] = {"class": cls.__name__, "basic_params": own_basic, "plugin": plugin}
        methods[name] = public_methods(cls, base=OptionsGroup)
        methods[name].pop("_set", None)
        walk(cls, name, 1)
    walk(Section, "", 0)

    for dotted, kind in NAMED_KINDS.items():
        module, _, name = dotted.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        kinds.setdefault(kind, {"class": f"{module}:{name}"})
    for kind, info in kinds.items():
        module, _, qualname = info["class"].partition(":")
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        try:
            info["constructor"] = constructor(obj)
        except (TypeError, ValueError):
            continue
        if kind in ("nice.Section", "PythonSection", "Broodlord", "Configuration") or (
            issubclass(obj, OptionsGroup) and not issubclass(obj, Section)
        ):
            base = Section if issubclass(obj, Section) else OptionsGroup
            if kind in ("Broodlord", "Configuration"):
                base = None
            own = public_methods(obj, base=base)
            own.pop("_set", None)
            if kind == "nice.Section":
                own = {k: v for k, v in own.items() if k in vars(obj)}
            if kind == "PythonSection":
                own = {k: v for k, v in own.items() if k in vars(obj)}
            if own:
                methods[kind] = own
        name = getattr(obj, "name", None)
        if isinstance(name, str) and name:
            info["name"] = name
        plugin = getattr(obj, "plugin", None)
        if isinstance(plugin, str):
            info["plugin"] = plugin
        code = getattr(obj, "code", None)  # a routing modifier's modifier1 ...
        if isinstance(code, int):
            info["code"] = code
            subcodes = getattr(obj, "subcodes", None)  # ... and the modifier2 it accepts
            info["subcodes"] = list(subcodes) if subcodes is not None else None

    imports: dict[str, Any] = {}
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        names: dict[str, Any] = {}
        for name, attr in vars(module).items():
            if name.startswith("_"):
                continue
            if inspect.ismodule(attr) and attr.__name__.startswith("uwsgiconf."):
                if attr.__name__ == f"{module_name}.{name}":
                    names[name] = f"module:{attr.__name__}"
            elif inspect.isclass(attr) and id(attr) in kind_of:
                names[name] = {"kind": kind_of[id(attr)]}
            elif inspect.isclass(attr) and attr in groups.values():
                names[name] = f"group:{next(g for g, c in groups.items() if c is attr)}"
            elif name == "configure_uwsgi":
                names[name] = "configure_uwsgi"
            elif name == "VERSION":
                names[name] = "value"
        imports[module_name] = names
    for parent in ("uwsgiconf", "uwsgiconf.presets", "uwsgiconf.options"):
        for child in MODULES:
            head, _, tail = child.rpartition(".")
            if head == parent:
                imports.setdefault(parent, {})[tail] = f"module:{child}"

    result = {
        "version": version,
        "groups": group_info,
        "methods": methods,
        "constants": constants,
        "kinds": kinds,
        "imports": imports,
    }
    if probe:
        result["probes"] = _probe(groups, methods, kinds)
    return result


def _probe(groups: dict[str, type], methods: dict[str, Any], kinds: dict[str, Any]) -> Any:
    """What each parameter writes, seen by diffing a fresh section's options."""
    import contextlib
    import importlib
    import io

    from uwsgiconf.config import Configuration, Section

    def snapshot(section: Any) -> dict[str, Any]:
        return {
            f"{key}": [f"{v}".strip() for v in value]
            if isinstance(value, list)
            else f"{value}".strip()
            for key, value in section._opts.items()
        }

    def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Any]:
        changes: list[Any] = []
        for key, value in after.items():
            if key not in before:
                changes.append([key, value])
            elif before[key] != value:
                old = before[key]
                if isinstance(value, list) and isinstance(old, list) and value[: len(old)] == old:
                    value = value[len(old) :]
                changes.append([key, value])
        changes.extend([key, None] for key in before if key not in after)
        return changes

    def fresh_group(owner: str) -> tuple[Any, Any]:
        if owner in kinds:  # a cheaper algorithm: its options live on its own stand-in
            module, _, qualname = kinds[owner]["class"].partition(":")
            algorithm = getattr(importlib.import_module(module), qualname)()
            return algorithm._section, algorithm
        section = Section()
        target = getattr(section, owner) if owner else section
        return section, target

    def run(owner: str, name: str, kwargs: dict[str, Any]) -> tuple[str, Any]:
        section, target = fresh_group(owner)
        before = snapshot(section)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                returned = getattr(target, name)(**kwargs)
            after = snapshot(section)
        except Exception as error:  # a probe the method refuses
            return "error", f"{type(error).__name__}"
        if returned is section:
            returns = "section"
        elif isinstance(returned, Configuration):
            returns = "configuration"
        elif isinstance(returned, Section):
            returns = "new-section"
        elif (returned is target and owner) or owner in kinds:
            returns = "object"
        else:
            returns = "value"
        return returns, diff(before, after)

    def probe_value(param: str, kind: str) -> Any:
        return {
            "str": f"probe-{param}",
            "true": True,
            "false": False,
            "int": PROBE_INT,
            "list": list(PROBE_LIST),
        }[kind]

    touch = {}
    for group in groups:
        section = Section()
        before = snapshot(section)
        getattr(section, group)
        touch[group] = diff(before, snapshot(section))

    results: dict[str, Any] = {"touch": touch, "methods": {}}
    skip = {"derive_from", "bootstrap", "as_configuration", "print_stamp", "print_variables"}
    for owner, owner_methods in methods.items():
        if owner not in groups and owner != "" and not owner.startswith("cheapening.algorithms."):
            continue
        for name, spec in owner_methods.items():
            if name in skip or name.startswith("get_") or name == "replace_placeholders":
                continue
            required = {p["name"]: f"probe-{p['name']}" for p in spec["params"] if p["required"]}
            returns, base = run(owner, name, required)
            entry: dict[str, Any] = {"returns": returns, "base": base, "params": {}}
            full: dict[str, Any] = dict(required)
            for param in spec["params"]:
                seen = {}
                if param["required"]:  # compared with the call given another value
                    other = dict(required, **{param["name"]: "probe-other"})
                    seen["base"] = run(owner, name, other)[1]
                for kind in ("str", "true", "false", "int", "list"):
                    kwargs = dict(required)
                    kwargs[param["name"]] = probe_value(param["name"], kind)
                    seen[kind] = run(owner, name, kwargs)[1]
                entry["params"][param["name"]] = seen
                full.setdefault(param["name"], probe_value(param["name"], "str"))
            entry["full"] = run(owner, name, full)[1]
            results["methods"][f"{owner}.{name}"] = entry
    return results


# --- the parent: merges the versions and classifies the probes --------------------------


def classify(probe: dict[str, Any], base: list[Any], name: str) -> dict[str, Any]:
    """Turn one parameter's probes into ``{"options": [...], "cast": ..., "plugin": ...}``."""
    text = f"probe-{name}"

    def strip(changes: Any) -> tuple[list[Any], str | None]:
        if isinstance(changes, str):
            return [["error", changes]], None
        plugin = None
        kept = []
        for key, value in changes:
            if [key, value] in base:
                continue
            if key in ("plugin", "need-plugin"):
                plugin = value[-1] if isinstance(value, list) and value else value
                continue
            kept.append([key, value])
        return kept, plugin

    probe = dict(probe)
    if "base" in probe:
        own_base = probe.pop("base")
        base = own_base if isinstance(own_base, list) else []
    seen = {kind: strip(changes) for kind, changes in probe.items()}
    plugin = next((p for _, p in seen.values() if p), None)
    s, t, f, i, lst = (seen[k][0] for k in ("str", "true", "false", "int", "list"))
    out: dict[str, Any] = {"options": [], "cast": "special"}
    if plugin:
        out["plugin"] = plugin
    if len(s) == 1 and s[0][0] != "error":
        key = s[0][0]
        out["options"] = [key]
        if (
            s == [[key, text]]
            and i == [[key, str(PROBE_INT)]]
            and t == [[key, "True"]]
            and f == [[key, "False"]]
        ):
            out["cast"] = "verbatim"
        elif s == [[key, "true"]] and t == [[key, "true"]] and f == []:
            out["cast"] = "flag"
        elif s == [[key, [text]]] and lst == [[key, PROBE_LIST]] and t == [[key, ["True"]]]:
            out["cast"] = "multi"
    elif not s and not t and not i and not lst:
        out["cast"] = "none"
    if out["cast"] == "special":
        out["options"] = sorted({k for changes in (s, t, i, lst) for k, _ in changes} - {"error"})
    return out


def _run_child(python: str, probe: bool) -> dict[str, Any]:
    command = [python, __file__, "--child"] + (["--probe"] if probe else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _install(versions: tuple[str, ...], root: Path) -> dict[str, str]:
    pythons = {}
    for version in versions:
        venv = root / version
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", f"uwsgiconf=={version}"], check=True)
        pythons[version] = python
    return pythons


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def build(readings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    versions = sorted(readings, key=_version_key)
    newest = readings[versions[-1]]

    def since_method(owner: str, name: str) -> str:
        for version in versions:
            if name in readings[version]["methods"].get(owner, {}):
                return version
        return versions[-1]

    def since_param(owner: str, name: str, param: str) -> str:
        for version in versions:
            spec = readings[version]["methods"].get(owner, {}).get(name)
            if spec and any(p["name"] == param for p in spec["params"]):
                return version
        return versions[-1]

    probes = newest["probes"]["methods"]
    methods: dict[str, Any] = {}
    for owner, owner_methods in newest["methods"].items():
        for name, spec in owner_methods.items():
            probe = probes.get(f"{owner}.{name}")
            entry: dict[str, Any] = {
                "since": since_method(owner, name),
                "var_keyword": spec["var_keyword"],
                "returns": _returns(name, probe),
                "params": [],
            }
            if spec["classmethod"]:
                entry["classmethod"] = True
            if spec["var_positional"]:
                entry["var_positional"] = True
            for param in spec["params"]:
                row = {
                    "name": param["name"],
                    "positional": param["positional"],
                    "required": param["required"],
                    "default": param["default"],
                    "since": since_param(owner, name, param["name"]),
                }
                if probe and probe["returns"] != "error":
                    seen = probe["params"][param["name"]]
                    row.update(classify(seen, probe["base"], param["name"]))
                entry["params"].append(row)
            required = any(param["required"] for param in spec["params"])
            if probe and isinstance(probe["base"], list) and probe["base"] and not required:
                entry["writes"] = probe["base"]  # what the call writes with no arguments
            if probe and isinstance(probe["full"], list):
                entry["order"] = [key for key, _ in probe["full"] if key not in ("plugin",)]
            methods.setdefault(owner, {})[name] = entry
    since_kind = {}
    for version in reversed(versions):
        for kind in readings[version]["kinds"]:
            since_kind[kind] = version
    kinds = {}
    for kind, info in newest["kinds"].items():
        row = dict(info)
        row["since"] = since_kind[kind]
        for param in row.get("constructor", {}).get("params", ()):
            param["since"] = next(
                version
                for version in versions
                if any(
                    p["name"] == param["name"]
                    for p in readings[version]["kinds"]
                    .get(kind, {})
                    .get("constructor", {})
                    .get("params", ())
                )
                or version == versions[-1]
            )
        kinds[kind] = row
    touch = {
        group: [[key, value] for key, value in changes]
        for group, changes in newest["probes"]["touch"].items()
        if changes
    }
    groups = {}
    for group, info in newest["groups"].items():
        row = dict(info)
        row["since"] = next(v for v in versions if group in readings[v]["groups"])
        if group in touch:
            row["on_touch"] = touch[group]
        groups[group] = row
    return {
        "header": {
            "generated_by": "scripts/gen_uwsgiconf_api.py",
            "uwsgiconf": versions[-1],
            "versions": versions,
            "note": "what uwsgiconf offers and what each parameter writes; regenerate, never edit",
        },
        "groups": groups,
        "methods": methods,
        "constants": newest["constants"],
        "kinds": kinds,
        "imports": newest["imports"],
    }


def _returns(name: str, probe: dict[str, Any] | None) -> str:
    if name in ("derive_from", "bootstrap"):
        return "new-section"
    if name == "as_configuration":
        return "configuration"
    if probe is None or probe["returns"] == "error":
        return "value" if name.startswith("get_") else "section"
    return probe["returns"]


def _dump(data: dict[str, Any]) -> str:
    """Sorted keys, one method or constant a line: compact but diff-friendly."""
    lines = ["{"]
    sections = list(data.items())
    for index, (key, value) in enumerate(sections):
        comma = "," if index < len(sections) - 1 else ""
        if key == "methods":
            lines.append(f"{json.dumps(key)}: {{")
            owners = sorted(value.items())
            for o_index, (owner, owner_methods) in enumerate(owners):
                lines.append(f"  {json.dumps(owner)}: {{")
                names = sorted(owner_methods.items())
                for m_index, (name, spec) in enumerate(names):
                    end = "," if m_index < len(names) - 1 else ""
                    lines.append(f"    {json.dumps(name)}: {json.dumps(spec, sort_keys=True)}{end}")
                lines.append("  }" + ("," if o_index < len(owners) - 1 else ""))
            lines.append("}" + comma)
        elif isinstance(value, dict):
            lines.append(f"{json.dumps(key)}: {{")
            items = sorted(value.items())
            for i_index, (name, item) in enumerate(items):
                end = "," if i_index < len(items) - 1 else ""
                lines.append(f"  {json.dumps(name)}: {json.dumps(item, sort_keys=True)}{end}")
            lines.append("}" + comma)
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", default=[], metavar="VERSION=PATH")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        json.dump(_child(args.probe), sys.stdout)
        return 0
    with tempfile.TemporaryDirectory(prefix="uwsgiconf-versions-") as root:
        if args.python:
            pythons = dict(item.split("=", 1) for item in args.python)
        else:
            pythons = _install(VERSIONS, Path(root))
        newest = max(pythons, key=_version_key)
        readings = {v: _run_child(python, v == newest) for v, python in pythons.items()}
    for version, reading in readings.items():
        if reading["version"] != version:
            found = reading["version"]
            raise SystemExit(f"{pythons[version]} has uwsgiconf {found}, not {version}")
    args.out.write_text(_dump(build(readings)), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
