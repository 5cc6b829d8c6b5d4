#!/usr/bin/env python3
"""Generate a service's generated.rs from botocore's cognito-idp or cognito-identity model.

Usage:
    python3 tools/gen_model.py [MODEL] [--service SERVICE] [--out PATH]
                               [--botocore-version X.Y.Z]

SERVICE is one of:
  * cognito-idp (the default): the user-pool API,
    crates/tessera-http/src/user_pools/generated.rs;
  * cognito-identity: the identity-pool API,
    crates/tessera-http/src/identity_pools/generated.rs.

MODEL is one of:
  * a botocore wheel (botocore-X.Y.Z-py3-none-any.whl),
  * a service-2.json or service-2.json.gz file,
  * nothing: the model of the installed botocore package.
A wheel or the installed package holds every service; a service-2.json must be
the chosen service's (its metadata is checked).

Only the model's facts are kept (operations, auth, input shapes and their
constraints); documentation is dropped. Standard library only.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each service botocore models that Tessera serves: where its model sits in the
# package, where its generated.rs goes, and its `unenforced_patterns`: patterns
# the service itself does not apply, so the server must not either.
# cognito-idp's DomainType is the prefix-domain rule: custom domains
# (auth.example.com) break it and are accepted
# (terraform-linters/tflint-ruleset-aws#156), and a bad prefix is refused in
# the service's own words, not Coral's
# (mineiros-io/terraform-aws-cognito-user-pool#69).
SERVICES = {
    "cognito-idp": {
        "model": "data/cognito-idp/2016-04-18/service-2.json",
        "out": "crates/tessera-http/src/user_pools/generated.rs",
        "module_doc": "Operations and input shapes of the Cognito user-pool API model.",
        "target_prefix": "AWSCognitoIdentityProviderService",
        "unenforced_patterns": {"DomainType"},
    },
    "cognito-identity": {
        "model": "data/cognito-identity/2014-06-30/service-2.json",
        "out": "crates/tessera-http/src/identity_pools/generated.rs",
        "module_doc": "Operations and input shapes of the Cognito identity-pool API model.",
        "target_prefix": "AWSCognitoIdentityService",
        "unenforced_patterns": set(),
    },
}
DEFAULT_SERVICE = "cognito-idp"

# Java's predefined classes are ASCII-only unless UNICODE_CHARACTER_CLASS is
# set (Coral does not set it); Rust's are Unicode. Spell out Java's meaning.
JAVA_CLASSES = {
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": "[\\t\\n\\x0B\\x0C\\r ]",
    "S": "[^\\t\\n\\x0B\\x0C\\r ]",
}
# Java's `.` (without DOTALL) excludes every line terminator, not just \n.
JAVA_DOT = "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]"
# Escapes whose meaning is the same in both engines.
PASS_ESCAPES = set("tnrf") | set("\\.-[]{}()*+?|^$/:")


class Untranslatable(Exception):
    pass


def translate_pattern(java):
    """Translate a Java regex (as used by Coral) into Rust `regex` syntax."""
    out = []
    i = 0
    dotall = False
    if java.startswith("(?s)"):
        dotall = True
        out.append("(?s)")
        i = 4
    n = len(java)

    def escape(j, in_class):
        """Translate the escape at java[j] == '\\'; return (text, next index)."""
        if j + 1 >= n:
            raise Untranslatable("trailing backslash")
        c = java[j + 1]
        if c in JAVA_CLASSES:
            return JAVA_CLASSES[c], j + 2
        if c == "b" and not in_class:
            return "(?-u:\\b)", j + 2
        if c in ("p", "P"):
            m = re.match(r"\\[pP]\{[A-Za-z]+\}", java[j:])
            if not m or m.group(0)[3:5] in ("Is", "In") or "java" in m.group(0):
                raise Untranslatable("unsupported property class")
            return m.group(0), j + len(m.group(0))
        if c == "x":
            m = re.match(r"\\x[0-9A-Fa-f]{2}", java[j:])
            if not m:
                raise Untranslatable("unsupported hex escape")
            return m.group(0), j + 4
        if c in PASS_ESCAPES:
            return java[j : j + 2], j + 2
        raise Untranslatable("unsupported escape \\" + c)

    def char_class(j):
        """Translate the class starting at java[j] == '['; return (text, next)."""
        parts = ["["]
        j += 1
        if j < n and java[j] == "^":
            parts.append("^")
            j += 1
        first = True
        while True:
            if j >= n:
                raise Untranslatable("unterminated class")
            c = java[j]
            if c == "]" and not first:
                parts.append("]")
                return "".join(parts), j + 1
            first = False
            if c == "[":
                text, j = char_class(j)
                parts.append(text)
                continue
            if c == "&" and java[j : j + 2] == "&&":
                parts.append("&&")
                j += 2
                continue
            # One atom, then Java's range rule: `a-b` when `-` is followed by
            # anything but `]` or `[`; otherwise the `-` is a literal.
            if c == "\\":
                atom, j = escape(j, True)
                is_char = len(atom) <= 4 and not atom.startswith("[")
            else:
                atom = "\\-" if c == "-" else c
                j += 1
                is_char = True
            if is_char and java[j : j + 1] == "-" and java[j + 1 : j + 2] not in ("]", "[", ""):
                j += 1
                if java[j] == "\\":
                    end, j = escape(j, True)
                else:
                    end, j = java[j], j + 1
                parts.append(atom + "-" + end)
            else:
                parts.append(atom)

    while i < n:
        c = java[i]
        if c == "\\":
            text, i = escape(i, False)
            out.append(text)
        elif c == "[":
            text, i = char_class(i)
            out.append(text)
        elif c == ".":
            out.append("." if dotall else JAVA_DOT)
            i += 1
        elif c == "(":
            if java.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif java.startswith("(?", i):
                raise Untranslatable("lookaround, inline flag or named group")
            else:
                out.append("(")
                i += 1
        elif c in "*+?}" and java[i + 1 : i + 2] == "+":
            raise Untranslatable("possessive quantifier")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_model(source, model_in_package):
    """Return (model dict, botocore version or None, display name of the source)."""
    if source is None:
        try:
            import botocore  # noqa: PLC0415 (optional dependency, only for the default)
        except ImportError:
            sys.exit("no MODEL given and botocore is not installed")
        base = os.path.join(os.path.dirname(botocore.__file__), model_in_package)
        source = base if os.path.exists(base) else base + ".gz"
        return read_json(source), botocore.__version__, "installed botocore"
    name = os.path.basename(source)
    if source.endswith(".whl"):
        m = re.match(r"botocore-([^-]+)-", name)
        with zipfile.ZipFile(source) as whl:
            names = set(whl.namelist())
            inner = "botocore/" + model_in_package
            if inner in names:
                data = whl.read(inner)
            elif inner + ".gz" in names:
                data = gzip.decompress(whl.read(inner + ".gz"))
            else:
                sys.exit(f"{source}: no {inner}[.gz]")
        return json.loads(data), m.group(1) if m else None, name
    return read_json(source), version_near(source), name


def read_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def version_near(path):
    """botocore/__init__.py's __version__ when the model sits inside a botocore tree."""
    init = os.path.join(os.path.dirname(path), *[".."] * 3, "__init__.py")
    try:
        with open(init, encoding="utf-8") as f:
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", f.read())
            return m.group(1) if m else None
    except OSError:
        return None


def rust_str(s):
    """A Rust string literal: raw when possible, escaped otherwise."""
    if '"#' not in s and "\n" not in s:
        return 'r#"' + s + '"#' if ("\\" in s or '"' in s) else '"' + s + '"'
    return json.dumps(s)


def opt(v):
    return "None" if v is None else f"Some({v})"


def is_unsigned(op):
    return op.get("authtype") == "none" or "smithy.api#noAuth" in op.get("auth", [])


def reachable_shapes(model):
    shapes = model["shapes"]
    seen = set()
    stack = [op["input"]["shape"] for op in model["operations"].values() if "input" in op]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        s = shapes[name]
        if s["type"] == "structure" and not s.get("document"):
            stack.extend(m["shape"] for m in s["members"].values())
        elif s["type"] == "list":
            stack.append(s["member"]["shape"])
        elif s["type"] == "map":
            stack.extend([s["key"]["shape"], s["value"]["shape"]])
    return sorted(seen)


def holds_sensitive(shapes, name, memo, visiting=frozenset()):
    """True when the shape or anything it contains is marked sensitive."""
    if name in memo:
        return memo[name]
    if name in visiting:
        return False
    s = shapes[name]
    children = []
    if s["type"] == "structure" and not s.get("document"):
        children = [m["shape"] for m in s["members"].values()]
    elif s["type"] == "list":
        children = [s["member"]["shape"]]
    elif s["type"] == "map":
        children = [s["key"]["shape"], s["value"]["shape"]]
    result = bool(s.get("sensitive")) or any(
        holds_sensitive(shapes, c, memo, visiting | {name}) for c in children
    )
    memo[name] = result
    return result


def shape_kind(s, ids, name, unenforced):
    t = s["type"]
    bounds = f"Bounds {{ min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"
    if t == "structure":
        if s.get("document"):
            return "ShapeKind::Document"
        required = set(s.get("required", []))
        # Members in name order: Coral reports violations in an order the model
        # does not give; name order matches the observed SignUp message
        # (password before username).
        members = ", ".join(
            f"Member {{ name: {rust_str(m)}, target: ShapeId({ids[ref['shape']]}), "
            f"required: {'true' if m in required else 'false'} }}"
            for m, ref in sorted(s["members"].items())
        )
        return f"ShapeKind::Structure {{ members: &[{members}] }}"
    if t == "list":
        return f"ShapeKind::List {{ member: ShapeId({ids[s['member']['shape']]}), length: {bounds} }}"
    if t == "map":
        return (
            f"ShapeKind::Map {{ key: ShapeId({ids[s['key']['shape']]}), "
            f"value: ShapeId({ids[s['value']['shape']]}), length: {bounds} }}"
        )
    if t == "string":
        pattern = "None"
        if "pattern" in s and name not in unenforced:
            try:
                rust = translate_pattern(s["pattern"])
            except Untranslatable as e:
                sys.exit(f"{name}: pattern {s['pattern']!r}: {e}; teach translate_pattern")
            pattern = f"Some(Pattern {{ model: {rust_str(s['pattern'])}, regex: {rust_str(rust)} }})"
        values = ", ".join(rust_str(v) for v in s.get("enum", []))
        return (
            f"ShapeKind::String {{ length: {bounds}, pattern: {pattern}, "
            f"enum_values: &[{values}] }}"
        )
    if t in ("integer", "long"):
        variant = "Integer" if t == "integer" else "Long"
        return f"ShapeKind::{variant} {{ min: {opt(s.get('min'))}, max: {opt(s.get('max'))} }}"
    if t in ("double", "float"):
        fmin = None if s.get("min") is None else repr(float(s["min"]))
        fmax = None if s.get("max") is None else repr(float(s["max"]))
        return f"ShapeKind::Double {{ min: {opt(fmin)}, max: {opt(fmax)} }}"
    if t == "boolean":
        return "ShapeKind::Boolean"
    if t == "timestamp":
        return "ShapeKind::Timestamp"
    if t == "blob":
        return f"ShapeKind::Blob {{ length: {bounds} }}"
    sys.exit(f"{name}: unsupported shape type {t}")


def generate(model, service, version, command):
    ops = model["operations"]
    shapes = model["shapes"]
    names = reachable_shapes(model)
    if len(names) > 0xFFFF:
        sys.exit("too many shapes for ShapeId(u16)")
    ids = {n: i for i, n in enumerate(names)}
    memo = {}
    op_names = sorted(ops)
    meta = model["metadata"]

    out = [
        f"// @generated by tools/gen_model.py from botocore {version or 'unknown version'}",
        f"// ({meta['endpointPrefix']}/{meta['apiVersion']}/service-2.json). Do not edit by hand.",
        f"// Regenerate with: {command}",
        "",
        f"//! {service['module_doc']}",
        "",
        "use crate::awsjson::model::{Bounds, Member, Pattern, Shape, ShapeId, ShapeKind};",
        "",
        f"/// Botocore release the model was taken from.",
        f"pub const BOTOCORE_VERSION: &str = {rust_str(version or 'unknown')};",
        "",
        f"/// Every operation of `{meta['targetPrefix']}`.",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]",
        "pub enum Operation {",
    ]
    out += [f"    {n}," for n in op_names]
    out += [
        "}",
        "",
        "impl Operation {",
        "    /// All operations, in name order.",
        "    pub const ALL: &'static [Operation] = &[",
    ]
    out += [f"        Operation::{n}," for n in op_names]
    out += [
        "    ];",
        "",
        "    /// The operation named by the part of `X-Amz-Target` after the dot.",
        "    pub fn from_name(name: &str) -> Option<Operation> {",
        "        Some(match name {",
    ]
    out += [f'            "{n}" => Operation::{n},' for n in op_names]
    out += [
        "            _ => return None,",
        "        })",
        "    }",
        "",
        "    /// The operation's name as it appears in `X-Amz-Target`.",
        "    pub fn name(self) -> &'static str {",
        "        match self {",
    ]
    out += [f'            Operation::{n} => "{n}",' for n in op_names]
    out += [
        "        }",
        "    }",
        "",
        "    /// Whether SDKs send this operation without SigV4 (model auth `none`).",
        "    pub fn is_unsigned(self) -> bool {",
    ]
    unsigned = [n for n in op_names if is_unsigned(ops[n])]
    if not unsigned:
        sys.exit("no unsigned operation: teach generate to write is_unsigned as `false`")
    out.append("        matches!(")
    out.append("            self,")
    out.append("            " + " | ".join(f"Operation::{n}" for n in unsigned))
    out.append("        )")
    out += [
        "    }",
        "",
        "    /// The operation's input structure in [`SHAPES`].",
        "    pub fn input_shape(self) -> Option<ShapeId> {",
        "        match self {",
    ]
    for n in op_names:
        if "input" in ops[n]:
            out.append(f"            Operation::{n} => Some(ShapeId({ids[ops[n]['input']['shape']]})),")
        else:
            out.append(f"            Operation::{n} => None,")
    out += [
        "        }",
        "    }",
        "}",
        "",
        "/// Input shapes reachable from operation inputs, indexed by [`ShapeId`].",
        "pub static SHAPES: &[Shape] = &[",
    ]
    for n in names:
        s = shapes[n]
        out.append(
            f"    Shape {{ name: {rust_str(n)}, sensitive: {'true' if s.get('sensitive') else 'false'}, "
            f"holds_sensitive: {'true' if holds_sensitive(shapes, n, memo) else 'false'}, "
            f"kind: {shape_kind(s, ids, n, service['unenforced_patterns'])} }},"
        )
    out += ["];", ""]
    return "\n".join(out), len(op_names), len(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="botocore wheel, service-2.json[.gz]")
    parser.add_argument(
        "--service",
        choices=sorted(SERVICES),
        default=DEFAULT_SERVICE,
        help="botocore service to generate (default: %(default)s)",
    )
    parser.add_argument(
        "--out", help="output file (default: the service's generated.rs, e.g. "
        + SERVICES[DEFAULT_SERVICE]["out"] + ")"
    )
    parser.add_argument("--botocore-version", help="override the detected botocore version")
    args = parser.parse_args()

    service = SERVICES[args.service]
    out_path = args.out or os.path.join(REPO_ROOT, service["out"])

    model, version, source = load_model(args.model, service["model"])
    meta = model["metadata"]
    if meta.get("endpointPrefix") != args.service or meta.get("targetPrefix") != service["target_prefix"]:
        sys.exit(
            f"{source}: the model of {meta.get('endpointPrefix')} "
            f"({meta.get('targetPrefix')}), not {args.service}; pass --service"
        )
    version = args.botocore_version or version
    command = "python3 tools/gen_model.py" + (f" {source}" if args.model else "")
    if args.service != DEFAULT_SERVICE:
        command += f" --service {args.service}"
    text, n_ops, n_shapes = generate(model, service, version, command)

    rustfmt = shutil.which("rustfmt")
    if rustfmt:
        text = subprocess.run(
            [rustfmt, "--edition", "2024", "--emit", "stdout"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        print("warning: rustfmt not found; output is not formatted", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{out_path}: {n_ops} operations, {n_shapes} shapes (botocore {version or 'unknown'})")


if __name__ == "__main__":
    main()
