#!/usr/bin/env python3
"""The layers of Sources/ProviderExporter reference one way only:

    Support <- System, Logging <- Config <- Probing, StatusPages <- State
            <- Metrics, Scheduling <- Server <- App

A file may use what its own folder and lower folders declare (same-rank
folders may use each other); a reference to a symbol declared in a higher
folder fails. Symbols: top-level types (struct, enum, class, actor, protocol,
typealias) and the members of extensions on types the module does not declare
(String.trimmed, Thread.detach, ...), matched as whole words / `.member`.
Comments and string literals are ignored.

    check_layers.py [SOURCES_DIR]      check the tree (default: the repo's)
    check_layers.py --self-test        plant an upward reference in a copy and
                                       require the check to catch it
Prints 'layers: N passed, M failed'; exits 1 on a violation."""
import os, re, shutil, subprocess, sys, tempfile

RANK = {"Support": 0, "System": 1, "Logging": 1, "Config": 2, "Probing": 3, "StatusPages": 3,
        "State": 4, "Metrics": 5, "Scheduling": 5, "Server": 6, "App": 7}
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "Sources", "ProviderExporter")

INTERPOLATION = re.compile(r"\\#*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)")

def keep_interpolations(m):
    # A string literal's text is not code, but its \( ... \) parts are.
    return "(" + "; ".join(INTERPOLATION.findall(m.group(0))) + ")"

def strip(code):
    # Block comments, line comments, then string literals (raw and plain).
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    code = re.sub(r'#+"(?:.|\n)*?"#+', keep_interpolations, code)
    code = re.sub(r'"""(?:.|\n)*?"""', keep_interpolations, code)
    code = re.sub(r"//[^\n]*", "", code)
    code = re.sub(r'"(?:\\.|[^"\\\n])*"', keep_interpolations, code)
    return code

def scan(root):
    files = {}
    for folder in os.listdir(root):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith(".swift"):
                files[os.path.join(folder, name)] = (folder, strip(open(os.path.join(path, name)).read()))
    types, members = {}, {}
    for rel, (folder, code) in files.items():
        for m in re.finditer(r"^(?:(?:public|internal|private|fileprivate|final|indirect)\s+)*(?:struct|enum|class|actor|protocol|typealias)\s+(\w+)", code, re.M):
            types.setdefault(m.group(1), folder)
    for rel, (folder, code) in files.items():
        for m in re.finditer(r"^(?:public\s+)?extension\s+([\w.]+)[^{]*\{", code, re.M):
            extended = m.group(1).split(".")[0]
            if extended in types:
                continue  # members of our own types travel with the type
            depth, i, body = 1, m.end(), []
            while i < len(code) and depth:
                depth += code[i] == "{"
                depth -= code[i] == "}"
                i += 1
            block = code[m.end():i]
            for f in re.finditer(r"^\s{4}(?:(?:public|static|mutating|@\w+)\s+)*(?:func|var|let)\s+(\w+)", block, re.M):
                members.setdefault(f.group(1), folder)
    return files, types, members

def violations(root):
    files, types, members = scan(root)
    found = []
    for rel, (folder, code) in files.items():
        if folder not in RANK:
            found.append(f"{rel}: folder {folder} has no place in the layer order")
            continue
        for word in set(re.findall(r"\b[A-Z]\w*\b", code)):
            home = types.get(word)
            if home and home in RANK and RANK[home] > RANK[folder]:
                found.append(f"{rel}: uses {word} from {home} ({folder} is below {home})")
        for member in set(re.findall(r"\.(\w+)\b", code)):
            home = members.get(member)
            if home and home in RANK and RANK[home] > RANK[folder]:
                found.append(f"{rel}: uses .{member} from {home} ({folder} is below {home})")
    return sorted(found)

def main():
    if sys.argv[1:] == ["--self-test"]:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "ProviderExporter")
            shutil.copytree(DEFAULT, copy)
            target = os.path.join(copy, "Config", "Config.swift")
            with open(target, "a") as f:
                f.write("\nlet plantedUpwardReference = HTTPServer.self\n")
            found = violations(copy)
            ok = any("HTTPServer" in v for v in found)
            print(("ok   - " if ok else "FAIL - ") + "a planted reference from Config to Server is caught")
            print(f"layers: {int(ok)} passed, {int(not ok)} failed")
            sys.exit(0 if ok else 1)
    root = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    found = violations(root)
    for v in found:
        print("FAIL - " + v)
    if not found:
        print("ok   - every reference points down the layers")
    print(f"layers: {int(not found)} passed, {len(found)} failed")
    sys.exit(1 if found else 0)

main()
