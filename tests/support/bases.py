"""Base images for the container tests, built from Debian packages and pushed to the local
registry so they have real digests.

Nothing can be pulled on the test machines, so every base is made here: `debootstrap
--variant=minbase --include=<packages> bookworm`, trimmed of documentation, imported with
`docker import` and pushed to the registry. Images are cached under STATE keyed by their recipe
(the image in the engine, the root file system as a tarball), so only the first run pays.

Run `python -m tests.support.bases` to build them all ahead of the tests (CI may do so).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STATE = Path(os.environ.get("PIPELINEGEN_TEST_STATE", "/var/lib/pipelinegen-test"))
REGISTRY = os.environ.get("PIPELINEGEN_TEST_REGISTRY", "127.0.0.1:5000")
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# Documentation, manuals and translations are never needed inside an image.
TRIM = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
        "var/cache/apt", "var/lib/apt/lists", "var/log")


@dataclass(frozen=True)
class Recipe:
    name: str
    packages: tuple[str, ...]  # empty: a tiny hand-made root file system (no Debian at all)
    # Installed afterwards with apt inside the new root: debootstrap's own dependency resolver
    # cannot install packages with deep dependency trees such as npm.
    apt: tuple[str, ...] = ()
    # Trust the certificate authorities this machine adds (/usr/local/share/ca-certificates):
    # a builder that installs from PyPI reaches it through the machine's TLS-inspecting egress.
    host_ca: bool = False
    # With no packages: Debian packages unpacked into the tiny root file system (the way
    # distroless images are made: their files, no shell, no package manager).
    debs: tuple[str, ...] = ()
    # Files written into the root afterwards (path relative to it: text).
    files: tuple[tuple[str, str], ...] = ()
    # More apt sources (one-line-style entries) for the apt step, e.g. Debian's security suite.
    sources: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        extra = [self.debs, self.files] if self.debs or self.files else []  # keeps older keys
        extra += [self.sources] if self.sources else []
        data = json.dumps([SUITE, self.packages, self.apt, TRIM,
                           _TINY_FILES if not self.packages else [], *extra,
                           _host_cas() if self.host_ca else {}])
        return hashlib.sha256(data.encode()).hexdigest()[:12]

    @property
    def ref(self) -> str:
        return f"{REGISTRY}/pipelinegen-test/{self.name}:{self.key}"


# Maven's global settings in the java-build base: every repository is Debian's maven-repo.
_MAVEN_SETTINGS = """<settings>
  <mirrors>
    <mirror>
      <id>debian</id>
      <mirrorOf>*</mirrorOf>
      <url>file:///usr/share/maven-repo</url>
    </mirror>
  </mirrors>
</settings>
"""

# Gradle's init script in the java-gradle-build base (its installation's init.d, which the
# ~/.gradle cache mount of an image build does not hide): Debian's maven-repo is the repository.
_GRADLE_INIT = """allprojects {
    repositories {
        maven { url 'file:///usr/share/maven-repo' }
    }
}
"""

RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe("python", ("python3", "python-is-python3")),
        Recipe("python-build", ("python3", "python-is-python3", "python3-pip")),
        # Builds images whose requirements come from PyPI (the gRPC demo's grpcio).
        Recipe("python-build-pypi", ("python3", "python-is-python3", "python3-pip",
                                     "ca-certificates"), host_ca=True),
        Recipe("node", ("nodejs",)),
        Recipe("node-build", ("nodejs", "ca-certificates"), apt=("npm",)),
        Recipe("go", ("golang-go", "ca-certificates")),
        Recipe("static", ()),
        # Debian's OpenJDK 17 and Maven with the plugins of the jar lifecycle and JUnit 4; Maven
        # Central is Debian's own repository of them (nothing can be downloaded in a build here).
        Recipe("java-build", ("ca-certificates",),
               apt=("openjdk-17-jdk-headless", "maven", "libmaven-resources-plugin-java",
                    "libmaven-compiler-plugin-java", "libsurefire-java",
                    "libmaven-jar-plugin-java", "junit4"),
               files=(("etc/maven/settings.xml", _MAVEN_SETTINGS),)),
        # Debian's OpenJDK 17 and its Gradle (4.4.1, which Debian runs on Java 17) with JUnit 4,
        # resolved from Debian's maven-repo; no Maven.
        Recipe("java-gradle-build", ("ca-certificates",),
               apt=("openjdk-17-jdk-headless", "gradle", "junit4"),
               files=(("usr/share/gradle/init.d/pipelinegen-debian-repo.gradle", _GRADLE_INIT),)),
        Recipe("java", ("ca-certificates",), apt=("openjdk-17-jre-headless",)),
        Recipe("rust-build", ("ca-certificates",), apt=("cargo",)),
        # The rust coverage gate's toolchain: Debian's newer rustc (with the profiler runtime
        # that -C instrument-coverage links) and its LLVM tools in the sysroot's
        # lib/rustlib/<host>/bin, where rustup's llvm-tools component puts them.
        Recipe("rust-coverage", ("ca-certificates",),
               apt=("rustc-web", "cargo-web", "rust-web-llvm"),
               sources=(f"deb {MIRROR}-security {SUITE}-security main",)),
        # A distroless-cc-like runtime: the C library and libgcc's unwinder, no shell.
        Recipe("cc", (), debs=("libc6", "libgcc-s1", "gcc-12-base")),
        # Stands in for the example's backing redis (whose public image cannot be pulled here).
        Recipe("redis", ("redis-server",)),
        # The job container of the act tests (tests/act): what a GitHub runner brings that the
        # generated jobs use (bash, git, Python with pip and venv, Node with npm, Go).
        Recipe("runner", ("bash", "git", "ca-certificates", "python3", "python-is-python3",
                          "python3-pip", "python3-venv", "golang-go", "nodejs"), apt=("npm",)),
    )
}

# The bases demo images build on (every recipe but the act runner, the backing redis and the
# rust coverage toolchain).
IMAGE_BASES = tuple(name for name in RECIPES if name not in ("runner", "redis",
                                                             "rust-coverage"))

HOST_CAS = Path("/usr/local/share/ca-certificates")


def _host_cas() -> dict[str, str]:
    """The machine's own CA certificates by file name (empty where it adds none)."""
    if not HOST_CAS.is_dir():
        return {}
    return {path.name: path.read_text() for path in sorted(HOST_CAS.glob("*.crt"))}


# A distroless-like runtime: users, groups, a writable /tmp and nothing else.
_TINY_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
                  "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    "etc/group": "root:x:0:\nnonroot:x:65532:\n",
    "etc/nsswitch.conf": "hosts: files dns\n",
    "etc/hosts": "127.0.0.1 localhost\n",
}


def docker_cli() -> str:
    """The CLI pipelinegen itself builds with (here: the docker.io package's own)."""
    from pipelinegen.adapters import engine

    return engine.docker_cli()


def run(*argv: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n"
                           f"{done.stdout.decode(errors='replace')}\n"
                           f"{done.stderr.decode(errors='replace')}")
    return done.stdout.decode()


@contextmanager
def _locked(name: str) -> Iterator[None]:
    STATE.mkdir(parents=True, exist_ok=True)
    with (STATE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def registry_digest(ref: str) -> str | None:
    """The digest the registry holds for repo:tag, or None."""
    host, _, rest = ref.partition("/")
    repo, _, tag = rest.rpartition(":")
    request = urllib.request.Request(
        f"http://{host}/v2/{repo}/manifests/{tag}", method="HEAD",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json,"
                           "application/vnd.oci.image.manifest.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(response.headers["Docker-Content-Digest"])
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def ensure(name: str) -> str:
    """The pinned reference (ref@sha256:...) of a test base, building it if needed."""
    recipe = RECIPES[name]
    with _locked(f"base-{name}"):
        digest = registry_digest(recipe.ref)
        if digest is None or not _in_engine(recipe.ref):
            _import(recipe)
            run(docker_cli(), "push", recipe.ref)
            digest = registry_digest(recipe.ref)
        assert digest is not None
        return f"{recipe.ref}@{digest}"


def _in_engine(ref: str) -> bool:
    done = subprocess.run([docker_cli(), "image", "inspect", ref], capture_output=True,
                          check=False)
    return done.returncode == 0


def _import(recipe: Recipe) -> None:
    tarball = STATE / "bases" / f"{recipe.name}-{recipe.key}.tar"
    if not tarball.exists():
        tarball.parent.mkdir(parents=True, exist_ok=True)
        data = _debootstrap(recipe) if recipe.packages else _tiny_rootfs(recipe.debs)
        partial = tarball.with_suffix(".partial")
        partial.write_bytes(data)
        partial.rename(tarball)
    run(docker_cli(), "import", str(tarball), recipe.ref)


def _debootstrap(recipe: Recipe) -> bytes:
    cache = STATE / "debs"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pipelinegen-rootfs-") as tmp:
        root = Path(tmp) / "root"
        run("debootstrap", "--variant=minbase", f"--include={','.join(recipe.packages)}",
            f"--cache-dir={cache}", SUITE, str(root), MIRROR)
        if recipe.apt:
            shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
            if recipe.sources:
                (root / "etc/apt/sources.list.d/extra.list").write_text(
                    "".join(f"{line}\n" for line in recipe.sources))
            env = ("env", "DEBIAN_FRONTEND=noninteractive")
            run("chroot", str(root), *env, "apt-get", "update", "-qq")
            # Some maintainer scripts need /proc (OpenJDK's runs java).
            run("mount", "-t", "proc", "proc", str(root / "proc"))
            try:
                run("chroot", str(root), *env, "apt-get", "install", "-y", "-qq",
                    "--no-install-recommends", *recipe.apt)
            finally:
                run("umount", str(root / "proc"))
            (root / "etc/resolv.conf").unlink()
        if recipe.host_ca:
            for name, text in _host_cas().items():
                (root / "usr/local/share/ca-certificates" / name).write_text(text)
            run("chroot", str(root), "update-ca-certificates")
        for path, text in recipe.files:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        for path in TRIM:
            target = root / path
            if target.is_dir():
                shutil.rmtree(target)
                target.mkdir()
        return subprocess.run(["tar", "-C", str(root), "-c", "."], capture_output=True,
                              check=True).stdout


def _unpacked_debs(packages: tuple[str, ...]) -> bytes:
    """A tarball of the named packages' files (no maintainer scripts run; none are needed by
    libraries), downloaded with debootstrap into the shared .deb cache when absent."""
    cache = STATE / "debs"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pipelinegen-debs-") as tmp:
        root = Path(tmp) / "root"
        if not all(list(cache.glob(f"{package}_*.deb")) for package in packages):
            run("debootstrap", "--variant=minbase", "--download-only",
                f"--include={','.join(packages)}", f"--cache-dir={cache}", SUITE,
                str(Path(tmp) / "download"), MIRROR)
        for package in packages:
            newest = sorted(cache.glob(f"{package}_*.deb"))[-1]
            run("dpkg-deb", "-x", str(newest), str(root))
        for path in TRIM:
            shutil.rmtree(root / path, ignore_errors=True)
        return subprocess.run(["tar", "-C", str(root), "-c", "."], capture_output=True,
                              check=True).stdout


def _tiny_rootfs(debs: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory, mode in (("etc", 0o755), ("tmp", 0o1777), ("home/nonroot", 0o755)):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)
        for path, text in sorted(_TINY_FILES.items()):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        if debs:
            added = set(tar.getnames())
            with tarfile.open(fileobj=io.BytesIO(_unpacked_debs(debs))) as unpacked:
                for member in unpacked.getmembers():
                    member.name = member.name.removeprefix("./")
                    if member.name in ("", ".") or member.name in added:
                        continue
                    added.add(member.name)
                    tar.addfile(member, unpacked.extractfile(member) if member.isfile() else None)
    return buffer.getvalue()

if __name__ == "__main__":
    for base in sys.argv[1:] or list(RECIPES):
        print(f"{base}: {ensure(base)}", flush=True)
