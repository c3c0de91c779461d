#!/usr/bin/env python3
"""Reference parser for the differential test: parses each corpus value with Python's email package.

Usage: python3 py_parse_addresses.py address_corpus.jsonl
Prints one JSON object per corpus line:
  {"id", "hr": [[display_name, addr_spec], ...] | null, "hr_defects": [...], "hr_error": str | null,
   "ga": [[name, addr], ...]}
"hr" comes from email.headerregistry via email.policy.default (the modern parser); "ga" from
email.utils.getaddresses (the old one), used only when the modern parser raises.
"""
import json
import sys
from email import policy
from email.utils import getaddresses


def main(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            value = item["value"]
            res = {"id": item["id"], "hr": None, "hr_defects": [], "hr_error": None, "ga": []}
            try:
                h = policy.default.header_factory("To", value)
                res["hr"] = [[a.display_name, a.addr_spec] for a in h.addresses]
                res["hr_defects"] = sorted({type(d).__name__ for d in h.defects})
            except Exception as e:  # the modern parser has bugs on hostile input (IndexError on "a@")
                res["hr_error"] = f"{type(e).__name__}: {e}"
            try:
                res["ga"] = [[n, a] for n, a in getaddresses([value])]
            except Exception as e:
                res["ga_error"] = f"{type(e).__name__}: {e}"
            print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    main(sys.argv[1])
