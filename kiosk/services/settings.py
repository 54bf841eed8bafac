"""The shop's settings: every key's value (defaults merged with overrides, in one query), changed one key
at a time by an owner or a manager, with an audit row holding the old and the new value.

The shop.* keys are the shop row's own columns and are read from `ctx.shop`, which `set` refreshes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.settings import (
    SETTINGS,
    LoyaltySettings,
    NotifySettings,
    PrinterSettings,
    SaleSettings,
    Setting,
    check_together,
    lookup,
)
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import settings as store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit


DEFAULT = "default"  # no override: the registry's default
SET = "set"  # an override in the setting table
SHOP = "shop"  # a column of the shop row


@dataclass(frozen=True, slots=True)
class SettingValue:
    """One key as `kiosk config get` shows it: the typed value, its text in the shop's terms, and
    where it comes from (DEFAULT, SET or SHOP)."""

    setting: Setting
    value: Any
    text: str
    source: str

    @property
    def key(self) -> str:
        return self.setting.key

    @property
    def is_default(self) -> bool:
        return self.source == DEFAULT


def _stored_value(setting: Setting, overrides: Mapping[str, str], currency: str, strict: bool) -> tuple[Any, str]:
    """A stored key's typed value and its source (SET or DEFAULT); see `_values` for `strict`."""
    if setting.key in overrides:
        try:
            return setting.load(overrides[setting.key], currency), SET
        except ValidationError as exc:
            if strict:
                raise KioskError(f"{exc} (stored setting; fix it with `kiosk config set {setting.key} VALUE`)") \
                    from None
    return setting.default_for(currency), DEFAULT


def _values(ctx: Context, overrides: dict[str, str], *, strict: bool = True) -> dict[str, SettingValue]:
    """Every key, in registry order. A stored value that no longer parses (a row edited by hand) is an
    error naming the fix when `strict`, else it falls back to the default so `set` can repair it."""
    currency = ctx.shop.currency
    out = {}
    for setting in SETTINGS:
        if setting.default is None:  # shop.*: the shop row, as loaded into ctx.shop
            value, source = getattr(ctx.shop, setting.key.removeprefix("shop.")), SHOP
        else:
            value, source = _stored_value(setting, overrides, currency, strict)
        out[setting.key] = SettingValue(setting, value, setting.format(value, currency), source)
    return out


def describe(ctx: Context, key: str | None = None) -> list[SettingValue]:
    """Every key (or the one asked for) with its value, text and source: one query."""
    if key is not None:
        lookup(key)  # an unknown key is refused with a suggestion before anything is read
    values = _values(ctx, store.load_overrides())
    return [values[lookup(key).key]] if key is not None else list(values.values())


def get_all(ctx: Context) -> dict[str, Any]:
    """Every key's typed value: defaults merged with the shop's overrides, in one query."""
    return {key: sv.value for key, sv in _values(ctx, store.load_overrides()).items()}


def get(ctx: Context, key: str) -> Any:
    return describe(ctx, key)[0].value


def loyalty_settings(ctx: Context) -> LoyaltySettings:
    return LoyaltySettings.from_values(get_all(ctx))


def sale_settings(ctx: Context) -> SaleSettings:
    return SaleSettings.from_values(get_all(ctx))


def notify_settings(ctx: Context) -> NotifySettings:
    return NotifySettings.from_values(get_all(ctx))


def printer_settings(ctx: Context) -> PrinterSettings:
    """The printer keys only, from one query (a sale's print job reads them in its transaction)."""
    stored = tuple(sorted((k, v) for k, v in store.load_overrides().items() if k.startswith("printer.")))
    return _printer_settings(ctx.shop.currency, stored)


@functools.lru_cache(maxsize=16)
def _printer_settings(currency: str, overrides: tuple[tuple[str, str], ...]) -> PrinterSettings:
    stored = dict(overrides)
    keys = [s for s in SETTINGS if s.key.startswith("printer.")]
    return PrinterSettings.from_values({s.key: _stored_value(s, stored, currency, True)[0] for s in keys})


@dataclass(frozen=True, slots=True)
class CheckoutSettings:
    """What a sale reads of the settings, from one read of the setting table."""

    sale: SaleSettings
    loyalty: LoyaltySettings
    notify: NotifySettings


def checkout_settings(ctx: Context, overrides: Mapping[str, str] | None = None) -> CheckoutSettings:
    """`sale_settings`, `loyalty_settings` and `notify_settings` together, from one query: what `sell`
    reads once and passes down. The stored rows are read every time (another till may have changed
    them; `overrides`: the rows as the caller has just read them, key -> stored text); only their
    parsing is remembered, keyed by the exact stored text, so the values are the ones `get_all` gives,
    and a stored value that does not parse is refused as `get_all` refuses it."""
    if overrides is None:
        overrides = store.load_overrides()
    return _checkout_settings(ctx.shop.currency, tuple(sorted(overrides.items())))


@functools.lru_cache(maxsize=16)
def _checkout_settings(currency: str, overrides: tuple[tuple[str, str], ...]) -> CheckoutSettings:
    stored = dict(overrides)
    # Every stored key, as `get_all` parses them (strictly), though a sale needs only some of them.
    values = {s.key: _stored_value(s, stored, currency, True)[0] for s in SETTINGS if s.default is not None}
    return CheckoutSettings(SaleSettings.from_values(values), LoyaltySettings.from_values(values),
                            NotifySettings.from_values(values))


def _require_role(ctx: Context, setting: Setting) -> None:
    require(ctx, Permission.EDIT_SHOP if setting.shop_column else Permission.EDIT_SETTINGS)


def set(ctx: Context, key: str, text: str) -> SettingValue:  # noqa: A001 - the service's verb, as in `kiosk config set`
    """Parse and check `text` for `key`, store it and write an audit row, in one transaction.

    A value equal to the default drops the override, so the key follows the default again. Changing a
    shop.* key writes the shop row and refreshes `ctx.shop`.
    """
    setting = lookup(key)
    if setting.read_only:
        raise KioskError(f"{setting.key} cannot be changed: {setting.read_only}")
    _require_role(ctx, setting)
    currency = ctx.shop.currency
    new = setting.parse(text, currency)
    new_text = setting.format(new, currency)
    with write_transaction(ctx.db):
        row = store.lock_shop()  # settings changes from two tills queue here
        if setting.shop_column:
            old_text, stored = row[setting.shop_column], setting.dump(new, currency)
            changed = old_text != stored
            if changed:
                store.update_shop(setting.shop_column, stored)
        else:
            overrides = store.load_overrides()
            current = _values(ctx, overrides, strict=False)
            old = current[setting.key]
            unreadable = setting.key in overrides and old.source == DEFAULT
            old_text = overrides[setting.key] if unreadable else old.text
            check_together({**{k: sv.value for k, sv in current.items()}, setting.key: new}, changed=setting.key)
            stored = None if new == setting.default_for(currency) else setting.dump(new, currency)
            changed = overrides.get(setting.key) != stored
            if changed and stored is None:
                store.remove(setting.key)
            elif changed:
                store.save(setting.key, stored, ctx.user.id if ctx.user else None)
        if changed:
            audit("setting.set", setting.key, user=ctx.user, till=ctx.till, old=old_text, new=new_text)
    if setting.shop_column:
        ctx.reload_settings()
    return describe(ctx, setting.key)[0]
