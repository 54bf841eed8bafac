"""The machine's secrets, kept in a keyring: never the users' PINs.

What is kept (service "kiosk", one entry per name): the PIN *pepper* (32 random bytes, hex; made by
`kiosk init`, or on first need for a shop made before peppers existed), later the database encryption
key ("db-key") and the SMS gateway token ("sms-token").

Which keyring
-------------
1. If `kiosk init` set up Kiosk's own keyring config (`keyring.cfg` in Kiosk's config directory, or
   the file named by $KIOSK_KEYRING_CONFIG), that config wins, always: once the pepper lives in a
   file, a desktop keyring that appears later (someone logs in to a desktop session) must not hide it.
2. Otherwise keyring's own choice (`keyring.get_keyring()`: $PYTHON_KEYRING_BACKEND, keyring's
   `keyringrc.cfg`, `keyring.set_keyring()` in tests, else the best detected backend), when usable:
   a real store such as Secret Service, KWallet, the macOS Keychain or the Windows Credential Locker.
   Detection on a headless machine finds only keyring's "fail" backend, or a chainer over nothing but
   the file backends of keyrings.alt and keyrings.cryptfile (which would ask for a password at some
   random moment and keep the file somewhere Kiosk does not know): that is not "usable".
3. On such a headless till `kiosk init` writes Kiosk's config naming an encrypted file,
   keyrings.cryptfile's CryptFileKeyring (Argon2 + AES-GCM) at `secrets.cfg` in Kiosk's data
   directory. Its password comes from $KIOSK_KEYRING_PASSWORD (set it in the till's service unit) or
   is asked on the terminal, once per process.

Why Kiosk's own config and not keyring's `keyringrc.cfg`: that file is global for the OS user (pip,
twine and every other keyring client read it) and can name a backend class but not the file it keeps
nor where its password comes from. Kiosk's config touches no other program and says both. It is INI:

    [backend]
    kind = cryptfile                ; or "plaintext" (keyrings.alt's file backend; no encryption)
    file = /home/till/.local/share/kiosk/secrets.cfg
    argon2 = 3,65536,2              ; the file's Argon2id time, memory (KiB), lanes

The demo shop keeps its secrets apart, in a plain (unencrypted) keyrings.alt file next to the demo
database: the demo works on any headless machine without a password, never touches the real shop's
secrets, and its pepper protects nothing that matters (the demo PINs are printed on screen).

When no usable backend exists, `KeyringUnavailable` says what is missing and how to fix it; a bare
`NoKeyringError` never escapes. Secrets are cached for the life of the process: the file backends
spend about half a second in Argon2 on every read.

keyring and its plugins are imported inside the functions that need them (an old till starts faster).
"""

from __future__ import annotations

import configparser
import os
import secrets as _random
import sys
from pathlib import Path

from kiosk.domain.errors import KioskError

SERVICE = "kiosk"
PEPPER = "pepper"
DB_KEY = "db-key"
SMS_TOKEN = "sms-token"

PASSWORD_ENV = "KIOSK_KEYRING_PASSWORD"
CONFIG_ENV = "KIOSK_KEYRING_CONFIG"
KINDS = ("cryptfile", "plaintext")
#: Argon2id cost of the files Kiosk makes: time 3, memory 64 MiB, 2 lanes, RFC 9106's second
#: recommendation. keyrings.cryptfile's default (time 15) takes seconds per read on an old till, and
#: every secret read runs it once. Written into Kiosk's config with the file, because the file itself
#: does not record it: change this only for new files.
ARGON2 = (3, 2**16, 2)
_PEPPER_BYTES = 32

#: (scope, name) -> value; scope is "demo" or "shop".
_cache: dict[tuple[str, str], str] = {}
#: scope -> the backend object in use.
_backends: dict[str, object] = {}


class KeyringUnavailable(KioskError):
    """No usable place for the machine's secrets; the message says what is missing and the fix."""


# --- Paths ----------------------------------------------------------------------------------------


def config_path() -> Path:
    """Kiosk's keyring config: $KIOSK_KEYRING_CONFIG, else keyring.cfg in Kiosk's config directory."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    from platformdirs import user_config_path

    return user_config_path("kiosk", appauthor=False) / "keyring.cfg"


def default_secrets_file() -> Path:
    """Where `kiosk init` puts the encrypted secrets file on a headless till."""
    from kiosk.paths import data_dir

    return data_dir() / "secrets.cfg"


def demo_secrets_file() -> Path:
    from kiosk.paths import demo_database

    return demo_database().with_name("demo-secrets.cfg")


# --- Reading and writing --------------------------------------------------------------------------


def get_secret(name: str, *, demo: bool = False) -> str | None:
    """The secret called `name`, or None when it was never set. Cached for the process."""
    scope = _scope(demo)
    if (scope, name) in _cache:
        return _cache[(scope, name)]
    value = _call(_backend(demo), "get_password", SERVICE, name)
    if value is not None:
        _cache[(scope, name)] = value
    return value


def set_secret(name: str, value: str, *, demo: bool = False) -> None:
    if not value:
        raise ValueError("a secret cannot be empty")
    _call(_backend(demo), "set_password", SERVICE, name, value)
    _cache[(_scope(demo), name)] = value


def get_pepper(*, demo: bool = False) -> bytes | None:
    """The PIN pepper, or None when this machine has none yet."""
    value = get_secret(PEPPER, demo=demo)
    if value is None:
        return None
    try:
        pepper = bytes.fromhex(value)
    except ValueError:
        pepper = b""
    if len(pepper) < 16:
        raise KioskError(f"keyring: the {SERVICE}/{PEPPER} entry in {describe(demo=demo)} is not a pepper "
                         "Kiosk made (it should be 64 hex digits); restore it from a backup of the keyring")
    return pepper


def make_pepper(*, demo: bool = False) -> bytes:
    """The PIN pepper, made (32 random bytes) and stored the first time."""
    pepper = get_pepper(demo=demo)
    if pepper is None:
        pepper = _random.token_bytes(_PEPPER_BYTES)
        set_secret(PEPPER, pepper.hex(), demo=demo)
        _cache.pop((_scope(demo), PEPPER), None)
        if get_pepper(demo=demo) != pepper:  # read back: a keyring that drops writes must fail here
            raise KioskError(f"keyring: {describe(demo=demo)} did not keep the pepper Kiosk stored in it")
    return pepper


def forget() -> None:
    """Drop the cached secrets and backends (tests; after the keyring changed under a running process)."""
    _cache.clear()
    _backends.clear()


# --- Choosing the backend -------------------------------------------------------------------------


def setup_backend() -> str:
    """For `kiosk init`: make sure this machine can keep secrets, configuring the encrypted file on a
    headless till. Returns where the secrets are kept, in words."""
    if _backends.get("shop") is None:
        path = config_path()
        if not path.exists() and _usable(_default_keyring()) is None:
            _configure_file(path, default_secrets_file())
    _backend(False)
    return describe()


def describe(*, demo: bool = False) -> str:
    """Where the secrets are kept, for a message."""
    backend = _backend(demo)
    file = getattr(backend, "file_path", None)
    name = type(backend).__name__
    if file and type(backend).__module__.startswith("keyrings.cryptfile"):
        return f"the encrypted file {file}"
    if file:
        return f"the unencrypted file {file}"
    return f"the {type(backend).__module__}.{name} keyring"


def _scope(demo: bool) -> str:
    return "demo" if demo else "shop"


def _backend(demo: bool):
    scope = _scope(demo)
    backend = _backends.get(scope)
    if backend is None:
        if demo:
            backend = _file_backend("plaintext", demo_secrets_file())
        else:
            backend = _configured() or _usable(_default_keyring())
            if backend is None:
                raise KeyringUnavailable(_missing_message())
        _backends[scope] = backend
    return backend


def _default_keyring():
    import keyring

    try:
        return keyring.get_keyring()
    except Exception as exc:  # a broken keyringrc.cfg or PYTHON_KEYRING_BACKEND: say which
        raise KeyringUnavailable(f"keyring: cannot load the configured keyring backend ({exc}); fix "
                                 "$PYTHON_KEYRING_BACKEND or keyring's keyringrc.cfg") from None


def _is_file_backend(backend) -> bool:
    return type(backend).__module__.startswith(("keyrings.alt.file", "keyrings.cryptfile"))


def _usable(backend):
    """The backend to use from keyring's choice, or None when keyring has nothing real to offer."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend):
        # Detected: use the best real store in the chain, never its file backends (see the module doc).
        real = [b for b in backend.backends
                if not _is_file_backend(b) and not isinstance(b, (fail.Keyring, null.Keyring))]
        return real[0] if real else None
    return backend  # one backend: chosen on purpose (keyringrc.cfg, the environment, set_keyring)


def _missing_message() -> str:
    return (
        "keyring: no usable keyring for the till's secrets (the PIN pepper): no desktop keyring "
        "(Secret Service, KWallet, macOS Keychain, Windows Credential Locker) answers on this machine, "
        f"and Kiosk's keyring config {config_path()} does not exist. On a headless till run `kiosk init` "
        f"with ${PASSWORD_ENV} set (it sets up an encrypted secrets file), or write that config naming "
        "an existing secrets file; see `kiosk init --help`"
    )


def _configured():
    """The backend Kiosk's own config names, or None when there is no config."""
    path = config_path()
    if not path.exists():
        return None
    config = configparser.ConfigParser()
    try:
        config.read(path, encoding="utf-8")
        kind = config.get("backend", "kind").strip()
        file = Path(config.get("backend", "file").strip()).expanduser()
        argon = config.get("backend", "argon2", fallback="").strip()
        argon2 = tuple(int(x) for x in argon.split(",")) if argon else None
        if argon2 is not None and len(argon2) != 3:
            raise ValueError("argon2 must be time,memory,lanes")
    except (configparser.Error, UnicodeDecodeError, ValueError) as exc:
        raise KeyringUnavailable(f"keyring: {path} is not a Kiosk keyring config ({str(exc).splitlines()[0]}); "
                                 "it needs a [backend] section with kind and file") from None
    if kind not in KINDS:
        raise KeyringUnavailable(f"keyring: {path}: kind = {kind!r} is not one of {', '.join(KINDS)}")
    if not file.exists():
        raise KeyringUnavailable(f"keyring: the secrets file {file} named in {path} is missing: restore it "
                                 "from a backup (without it the PINs of this shop cannot be checked)")
    return _file_backend(kind, file, argon2=argon2)


def _file_backend(kind: str, file: Path, *, new: bool = False, argon2: tuple[int, int, int] | None = None,
                  password: str | None = None):
    """A file backend for `file`. For cryptfile, `argon2` is the file's cost (None: keyrings.cryptfile's
    defaults, for a file it made) and the password is checked now."""
    if kind == "plaintext":
        try:
            from keyrings.alt.file import PlaintextKeyring
        except ImportError:
            raise KeyringUnavailable("keyring: the file backend needs the keyrings.alt package: "
                                     "pip install keyrings.alt") from None
        backend = PlaintextKeyring()
        backend.file_path = str(file)
        return backend
    try:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring

        CryptFileKeyring.priority  # noqa: B018 - raises RuntimeError when argon2-cffi or PyCryptodome is missing
    except (ImportError, RuntimeError) as exc:
        raise KeyringUnavailable(f"keyring: the encrypted secrets file needs keyrings.cryptfile with "
                                 f"argon2-cffi and pycryptodome ({exc}): pip install keyrings.cryptfile") from None
    backend = CryptFileKeyring()
    backend.file_path = str(file)
    if argon2 is not None:
        backend.time_cost, backend.memory_cost, backend.parallelism = argon2
    password = password or _file_password(file, new=new)
    try:
        backend.keyring_key = password  # unlocks an existing file (checks the password) or makes a new one
    except (ValueError, AssertionError):
        raise KeyringUnavailable(f"keyring: wrong password for the encrypted secrets file {file} "
                                 f"(${PASSWORD_ENV} or the one typed)") from None
    return backend


def _file_password(file: Path, *, new: bool) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        if new:
            raise KeyringUnavailable(
                "keyring: no desktop keyring answers on this machine, so Kiosk keeps its secrets in the "
                f"encrypted file {file}: choose its password in ${PASSWORD_ENV} (and set it for the till's "
                "service too), or run on a terminal to type it")
        raise KeyringUnavailable(f"keyring: the secrets file {file} is encrypted: set ${PASSWORD_ENV} "
                                 "(e.g. in the till's service unit), or run on a terminal to type it")
    import getpass

    if not new:
        return getpass.getpass(f"Password of Kiosk's secrets file {file}: ")
    first = getpass.getpass(f"New password for Kiosk's secrets file {file}: ")
    if len(first) < 8:
        raise KeyringUnavailable("keyring: the secrets file password must be at least 8 characters")
    if getpass.getpass("The same password again: ") != first:
        raise KeyringUnavailable("keyring: the two passwords do not match")
    return first


def _configure_file(path: Path, file: Path, kind: str = "cryptfile") -> None:
    """Write Kiosk's keyring config naming `file` (made now, readable by this OS user only)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    argon2 = ARGON2 if kind == "cryptfile" else None
    if kind == "cryptfile" and file.exists():
        # A file kept from before (its config lost): Kiosk's cost, else keyrings.cryptfile's default.
        password = _file_password(file, new=False)
        try:
            backend = _file_backend(kind, file, argon2=argon2, password=password)
        except KeyringUnavailable:
            argon2 = None
            backend = _file_backend(kind, file, argon2=argon2, password=password)
    else:
        backend = _file_backend(kind, file, new=True, argon2=argon2)
    if not file.exists():  # plaintext files appear on the first write; cryptfile already wrote its header
        file.touch(mode=0o600)
    os.chmod(file, 0o600)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ("# Written by `kiosk init`: where this machine keeps Kiosk's secrets (the PIN pepper, ...).\n"
            "# Back up the file below with the database: without it, the PINs cannot be checked.\n"
            f"[backend]\nkind = {kind}\nfile = {file}\n"
            + (f"argon2 = {','.join(map(str, argon2))}\n" if argon2 else ""))
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
    _backends["shop"] = backend


def configure_file_backend(file: Path | None = None, *, kind: str = "cryptfile") -> str:
    """Point Kiosk at an encrypted (or, with kind="plaintext", plain) secrets file, writing Kiosk's
    keyring config; used by `kiosk init` on a headless till, and by tests. Returns `describe()`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    forget()
    _configure_file(config_path(), Path(file) if file else default_secrets_file(), kind)
    return describe()


def _call(backend, method: str, *args):
    """A keyring call whose failures become one clear line."""
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return getattr(backend, method)(*args)
    except NoKeyringError:
        raise KeyringUnavailable(_missing_message()) from None
    except KeyringError as exc:
        raise KeyringUnavailable(f"keyring: {type(backend).__name__} refused to {method.replace('_', ' ')} "
                                 f"({exc or type(exc).__name__}); unlock the keyring and try again") from None
