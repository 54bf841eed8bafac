"""`kiosk config get|set|list`: the shop's settings (loyalty rates, tiers, checkout rules, the shop row)."""

from __future__ import annotations

import argparse
import json

from kiosk.cli.common import opened_shop, table
from kiosk.domain.settings import KIND_HELP, SETTINGS, Kind, Setting


def _static_default(setting: Setting) -> str:
    """A default without a shop at hand: money in whole major units, which any currency reads."""
    if setting.default is None:
        return setting.default_note
    if setting.kind is Kind.MONEY:
        return str(setting.default)
    return setting.format(setting.default, "XXX")


def _key_docs() -> str:
    width = max(len(s.key) for s in SETTINGS)
    lines = ["settings (amounts in major units of the shop's currency, like 100.00):"]
    for s in SETTINGS:
        default = f"default {_static_default(s)}" if s.default is not None else s.default_note
        lines.append(f"  {s.key:<{width}}  {s.doc} ({'read-only' if s.read_only else s.kind}; {default})")
    return "\n".join(lines)


def register(commands) -> None:
    config = commands.add_parser(
        "config", help="the shop's settings: loyalty rates, tiers, checkout rules, name, locale",
        description="Read and change the shop's settings. Values are typed in the shop's terms "
        "(money as 100.00); a value equal to the default makes the key follow the default again.",
        epilog=_key_docs(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = config.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("get", help="one setting's value, or every setting with its source and meaning",
                       epilog=_key_docs(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("key", nargs="?", metavar="KEY", help="e.g. loyalty.earn_points (default: every key)")
    p.add_argument("--json", action="store_true", help="machine-readable output (money as exact decimal strings)")
    p.set_defaults(func=cmd_get)

    p = sub.add_parser("set", help="change one setting (owners and managers)",
                       epilog=_key_docs(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("key", metavar="KEY", help="e.g. loyalty.earn_per")
    p.add_argument("value", nargs="+", metavar="VALUE",
                   help="in the shop's terms: 100.00, 1.5, 12, paid, JazzCash,EasyPaisa, …")
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("list", help="document every key: kind, default, allowed values, meaning")
    p.set_defaults(func=cmd_list)


def _json(sv, currency: str) -> dict:
    s = sv.setting
    return {"value": s.to_json(sv.value, currency), "source": sv.source, "default": sv.is_default,
            "kind": str(s.kind), "read_only": bool(s.read_only), "doc": s.doc}


def cmd_get(args) -> int:
    from kiosk.services import settings

    with opened_shop(args) as ctx:
        shown = settings.describe(ctx, args.key)
        currency = ctx.shop.currency
        if args.json:
            if args.key:
                print(json.dumps({"key": shown[0].key, **_json(shown[0], currency)}, ensure_ascii=False, indent=2))
            else:
                print(json.dumps({sv.key: _json(sv, currency) for sv in shown}, ensure_ascii=False, indent=2))
        elif args.key:
            print(shown[0].text)
        else:
            print(f"Settings of {ctx.shop.name} (amounts in {currency})")
            print(table(["key", "value", "from", "meaning"],
                        [[sv.key, sv.text, sv.source, sv.setting.doc] for sv in shown]))
    return 0


def cmd_set(args) -> int:
    from kiosk.services import settings

    text = " ".join(args.value)
    with opened_shop(args) as ctx:
        before = settings.describe(ctx, args.key)[0]
        after = settings.set(ctx, args.key, text)
    if after.text == before.text and after.source == before.source:
        print(f"{after.key} is already {after.text}: nothing changed")
    else:
        note = " (the default)" if after.is_default else ""
        print(f"{after.key}: {before.text} -> {after.text}{note}")
    return 0


def cmd_list(args) -> int:
    rows = [[s.key, "read-only" if s.read_only else str(s.kind), _static_default(s), s.range_text, s.doc]
            for s in SETTINGS]
    print(table(["key", "kind", "default", "allowed", "meaning"], rows))
    print()
    print("Kinds:")
    for kind in sorted({s.kind for s in SETTINGS}, key=list(Kind).index):
        print(f"  {kind}: {KIND_HELP[kind]}")
    print("Money defaults are whole units of the shop's currency; `kiosk config get` shows the shop's values.")
    return 0
