"""Numbers with optional unit suffixes, exactly as the CLI parses them (WorkbenchCore/Quantity.swift):
"15", "-5", "15mV", "0.015V", "10ms", "0.01s", "10Hz". A value is converted to the parameter's own
unit with the same floating-point operations as the CLI (value * factor / factor_of_unit), so the
numbers agree bit for bit; a suffix of another dimension is an error."""
import math
import re

FAMILIES = [
    ("mV", "a potential", {"mV": 1.0, "V": 1000.0, "uV": 1e-3, "µV": 1e-3}),
    ("ms", "a time", {"ms": 1.0, "s": 1000.0, "us": 1e-3, "µs": 1e-3, "min": 60_000.0}),
    ("Hz", "a rate", {"Hz": 1.0, "kHz": 1000.0, "1/s": 1.0, "1/ms": 1000.0}),
]
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")   # ASCII digits only
_SPECIAL = {"nan", "+inf", "-inf", "inf", "infinity", "-infinity", "+infinity"}


class UnitError(ValueError):
    pass


def split(text: str):
    """(value, suffix) of "12.5mV"; None when there is no leading number (the CLI's Quantity.split)."""
    t = text.strip(" \t")          # the CLI trims spaces and tabs
    if t.lower() in _SPECIAL:
        return float(t.lower().replace("infinity", "inf")), ""
    m = _NUMBER.match(t)
    if not m:
        return None
    return float(m.group(0)), t[m.end():].strip(" \t")


def parse(text: str, unit: str, name: str) -> float:
    """Parses `text` as a value of a parameter with unit `unit` (`name` in messages)."""
    s = split(text)
    if s is None:
        raise UnitError(f"parameter '{name}': '{text}' is not a number")
    value, suffix = s
    if not math.isfinite(value):
        raise UnitError(f"parameter '{name}' = {text} is not a finite number")
    if suffix == "" or suffix == unit:
        return value
    for _, what, units in FAMILIES:
        if unit in units:
            if suffix not in units:
                accepted = ", ".join(sorted(units))
                raise UnitError(f"parameter '{name}': unit '{suffix}' in '{text}' is not {what} "
                                f"(accepted: {accepted}; default {unit})")
            return value * units[suffix] / units[unit]
    shown = "dimensionless" if unit == "1" else f"in {unit}"
    raise UnitError(f"parameter '{name}': unit '{suffix}' in '{text}' not accepted (the parameter is {shown})")
