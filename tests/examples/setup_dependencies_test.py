#!/usr/bin/python3
"""Every dependency the build found is installed by the set-up (examples/setup.sh).

A fresh machine has the image's packages plus what the set-up installs. A build that
quietly picks up a package somebody installed by hand passes on that machine and fails
on a fresh one, so this test lists the dependencies meson found
(`meson introspect --dependencies`), finds the Debian package behind each one
(`pkg-config --path`, or the files the dependency names, then `dpkg -S`), and fails
naming the dependency and the package when neither the set-up's list nor anything
that list depends on (recursively, Depends and Pre-Depends only) holds it.

It then proves that the check can fail: it drops from the set-up's list one package
that the build needs and nothing else in the list brings in, and expects the check to
name it.

Usage: setup_dependencies_test.py BUILD_DIR [setup.sh options]
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    return result.returncode, result.stdout


def owning_package(path):
    """The Debian package that owns a file (symbolic links resolved), or None."""
    status, out = run(["dpkg", "-S", os.path.realpath(path)])
    if status != 0 or not out.strip():
        return None
    return out.splitlines()[0].split(":")[0].strip()


def package_of(dependency):
    """(package, how it was found) for one entry of meson's dependency list."""
    name = dependency["name"]
    status, out = run(["pkg-config", "--path", name])
    if status == 0 and out.strip():
        return owning_package(out.strip()), "pkg-config " + out.strip()
    # Found another way (cmake, a compiler flag): the files it names.
    for argument in dependency["link_args"]:
        if argument.startswith("/") and os.path.exists(argument):
            return owning_package(argument), argument
        if argument == "-fopenmp":  # the compiler's own OpenMP runtime
            _, library = run(["g++", "-print-file-name=libgomp.so"])
            return owning_package(library.strip()), "libgomp of g++"
    for argument in dependency["compile_args"]:
        if argument.startswith("-I") and argument[2:] not in ("/usr/include", "/usr/local/include"):
            return owning_package(argument[2:]), argument
    # A cmake package configuration (doctest, say).
    status, out = run(["dpkg", "-S", "*/cmake/" + name + "/*"])
    if status == 0 and out.strip():
        return out.splitlines()[0].split(":")[0].strip(), "cmake config of " + name
    return None, "no file to trace"


def closure(packages):
    """The packages installed by installing `packages`: themselves and what they depend on."""
    if not packages:
        return set()
    _, out = run(["apt-cache", "depends", "--recurse", "--installed", "--no-recommends", "--no-suggests",
                  "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + sorted(packages))
    names = set(packages)
    for line in out.splitlines():
        line = line.strip().lstrip("|")
        if ":" in line:
            line = line.split(":", 1)[1].strip()
        if line and not line.startswith("<"):
            names.add(line.split(":")[0])
    return names


def missing(found, setup_packages):
    """[(dependency, package)] of those the set-up does not install."""
    installed = closure(setup_packages)
    return [(name, package) for name, package in found if package.split(":")[0] not in installed]


def main():
    if len(sys.argv) < 2:
        print("usage: setup_dependencies_test.py BUILD_DIR [setup.sh options]", file=sys.stderr)
        return 2
    build = sys.argv[1]
    status, out = run(["bash", os.path.join(ROOT, "examples", "setup.sh"), "--print-packages"] + sys.argv[2:])
    if status != 0:
        print("FAIL: setup.sh --print-packages exited", status)
        return 1
    setup_packages = [line.strip() for line in out.splitlines() if line.strip()]
    status, out = run(["meson", "introspect", "--dependencies", build])
    if status != 0:
        print("FAIL: meson introspect --dependencies", build, "exited", status)
        return 1
    dependencies = json.loads(out)
    found, failures = [], []
    for dependency in dependencies:
        package, how = package_of(dependency)
        if package is None:
            failures.append(f"dependency '{dependency['name']}' ({how}): no Debian package owns it; "
                            "the set-up cannot install it on a fresh machine")
            continue
        found.append((dependency["name"], package))
        print(f"{dependency['name']:12s} {package:28s} ({how})")
    for name, package in missing(found, setup_packages):
        failures.append(f"dependency '{name}' comes from Debian's {package}, which examples/setup.sh does not install "
                        "(directly or as a dependency): add it to the set-up's package list")
    if failures:
        for failure in failures:
            print("FAIL:", failure)
        return 1
    print(f"{len(found)} dependencies, each installed by the set-up")

    # The check must be able to fail: drop one needed package nothing else in the list brings in.
    for name, package in found:
        base = package.split(":")[0]
        if base not in setup_packages:
            continue
        fewer = [p for p in setup_packages if p != base]
        if base in closure(fewer):
            continue
        flagged = missing(found, fewer)
        if not any(dependency == name for dependency, _ in flagged):
            print(f"FAIL: with {base} left out of the set-up, the check did not name dependency '{name}'")
            return 1
        print(f"planted: with {base} left out of the set-up, the check names '{name}' (as it must)")
        return 0
    print("FAIL: found no set-up package to leave out for the planted check")
    return 1


if __name__ == "__main__":
    sys.exit(main())
