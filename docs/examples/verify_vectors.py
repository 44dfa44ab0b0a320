#!/usr/bin/env python3
"""Independent check of docs/canonical-encoding.md: recomputes every vector in
canonical-vectors.json from the document's rules alone (Python standard library only).

Usage: python3 verify_vectors.py [canonical-vectors.json]
Exit code 0 when every vector matches, 1 otherwise.
"""
import decimal
import hashlib
import json
import os
import sys

PREFIX = b"auditkit.event.v1\n"


def enc_string(s):
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            raise ValueError("lone surrogate")
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif cp < 0x20:
            out.append("\\u%04x" % cp)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def enc_number(value):
    d = decimal.Decimal(value)
    if d.is_zero():
        return "0"
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:  # strip trailing zeros without rounding
        digits.pop()
        exp += 1
    while len(digits) > 1 and digits[0] == 0:
        digits.pop(0)
    text = "".join(str(x) for x in digits)
    n = len(text)
    adjusted = exp + n - 1
    out = "-" if sign else ""
    if -7 <= adjusted <= 20:
        if exp >= 0:
            out += text + "0" * exp
        elif adjusted >= 0:
            out += text[: adjusted + 1] + "." + text[adjusted + 1:]
        else:
            out += "0." + "0" * (-adjusted - 1) + text
    else:
        out += text[0]
        if n > 1:
            out += "." + text[1:]
        out += "e" + ("-" if adjusted < 0 else "+") + str(abs(adjusted))
    return out


def enc_value(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, decimal.Decimal)):
        return enc_number(v)
    if isinstance(v, str):
        return enc_string(v)
    if isinstance(v, list):
        return "[" + ",".join(enc_value(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys())  # Python compares str by code point
        return "{" + ",".join(enc_string(k) + ":" + enc_value(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def event_object(event):
    e = {k: v for k, v in event.items() if v is not None and k != "seal"}
    if e.get("metadata") == {}:
        del e["metadata"]
    if e.get("changes") == []:
        del e["changes"]
    for key in ("request", "source"):
        if key in e:
            e[key] = {k: v for k, v in e[key].items() if v is not None}
            if not e[key]:
                del e[key]
    actor = {k: v for k, v in e["actor"].items() if v is not None}
    if actor.get("extraIds") == {}:
        del actor["extraIds"]
    e["actor"] = actor
    e["resource"] = {k: v for k, v in e["resource"].items() if v is not None}
    if "changes" in e:
        entries = [enc_value({"path": c["path"], "from": c.get("from"), "to": c.get("to")}) for c in e["changes"]]
        paths = [c["path"] for c in e["changes"]]
        order = sorted(range(len(entries)), key=lambda i: (paths[i], entries[i].encode("utf-8")))
        e["changes"] = [e["changes"][i] for i in order]
    return e


def canonical(event):
    obj = event_object(event)
    # changes are already in canonical order; encode them without re-sorting the array
    parts = []
    for k in sorted(obj.keys()):
        parts.append(enc_string(k) + ":" + enc_value(obj[k]))
    return PREFIX + ("{" + ",".join(parts) + "}").encode("utf-8")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "canonical-vectors.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
    failures = 0
    by_id = {}
    for v in doc["vectors"]:
        got = canonical(v["event"])
        want = v["canonical"].encode("utf-8")
        digest = hashlib.sha256(got).hexdigest()
        ok = got == want and digest == v["sha256"]
        print(("ok   " if ok else "FAIL ") + v["name"])
        if not ok:
            failures += 1
            print("  got:  %r\n  want: %r" % (got, want))
        by_id[v["event"]["id"]] = got
    chain = doc["chain"]
    prev = hashlib.sha256(b"auditkit.chain.v2\n" + chain["chainId"].encode("utf-8")).hexdigest()
    if prev != chain["genesis"]:
        print("FAIL genesis")
        failures += 1
    for n, seal in enumerate(chain["seals"], start=1):
        h = hashlib.sha256(bytes.fromhex(prev) + hashlib.sha256(by_id[seal["eventId"]]).digest()).hexdigest()
        ok = seal["sequence"] == n and seal["previousHash"] == prev and seal["hash"] == h
        print(("ok   " if ok else "FAIL ") + "chain %s #%d" % (chain["chainId"], n))
        if not ok:
            failures += 1
        prev = h
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
