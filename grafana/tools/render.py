#!/usr/bin/env python3
"""Renders the Grafana/Prometheus files from grafana/runbooks.json, so that every runbook link is absolute and comes from
one base URL, and the dashboards follow the conventions below. Idempotent; `--check` exits 1 (and lists the files)
when a committed file differs from what this renders, which tests/McpEgress.Tests/Grafana runs.

  python3 grafana/tools/render.py            # rewrite in place
  python3 grafana/tools/render.py --check    # CI: committed files are rendered
  RUNBOOK_BASE_URL=https://wiki.corp/mcp-egress python3 grafana/tools/render.py   # a one-off other base

What it renders:
  - `runbook_url` of every Prometheus and Grafana alert rule (and in the promtool tests' expected alerts):
    BASE#runbook-<alert name in lower case>;
  - a "Runbook" link on each dashboard panel that shows what an alert fires on (PANEL_RUNBOOKS below);
  - a `job` variable (default all) that every selector honours, and `instance` values filtered by it;
  - rates of messages, TLS sessions and events in msg/s, sessions/s, events/s (not reqps: nothing here is a request);
  - "Since last message" shows nothing, not 56 years, before a daemon's first message (timestamp 0).
"""
import json
import os
import re
import sys

GRAFANA = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(GRAFANA, "prometheus", "mcp-egress.rules.yml")
RULES_TEST = os.path.join(GRAFANA, "prometheus", "mcp-egress.rules.test.yml")
ALERTING = os.path.join(GRAFANA, "provisioning", "alerting", "mcp-egress-alerts.yml")
DASHBOARDS = [os.path.join(GRAFANA, "dashboards", f) for f in ("mcp-egress-overview.json", "mcp-egress-host.json")]

# Panel title -> the alerts whose runbooks explain what the panel shows.
PANEL_RUNBOOKS = {
    "Alerts by severity": ["McpEgressCriticalAlert", "McpEgressHighAlert"],
    "Alerts by rule and severity": ["McpEgressCriticalAlert", "McpEgressHighAlert"],
    "Hidden recipients": ["McpEgressNewHiddenRecipientDomain"],
    "Hidden recipients by domain": ["McpEgressNewHiddenRecipientDomain", "McpEgressHiddenDomainCapReached"],
    "Hidden recipients by domain and reason": ["McpEgressNewHiddenRecipientDomain", "McpEgressHiddenDomainCapReached"],
    "Opaque mail TLS": ["McpEgressMailApiTlsOpaque"],
    "Opaque TLS by destination": ["McpEgressMailApiTlsOpaque"],
    "TLS sessions: decrypted vs opaque": ["McpEgressMailApiTlsOpaque"],
    "TLS sessions by destination and decryption": ["McpEgressMailApiTlsOpaque"],
    "Decrypted share of mail TLS": ["McpEgressMailApiTlsOpaque"],
    "Key-log secrets": ["McpEgressKeylogEmpty"],
    "Packets dropped": ["McpEgressCaptureDrops"],
    "Capture drops": ["McpEgressCaptureDrops"],
    "Drops by interface and cause": ["McpEgressCaptureDrops"],
    "Config reloads": ["McpEgressConfigReloadFailed"],
    "Daemons up": ["McpEgressDaemonDown"],
    "Daemons": ["McpEgressDaemonDown"],
    "Scrape": ["McpEgressDaemonDown"],
    "MCP servers with advisories": ["McpEgressMcpServerAdvisory"],
    "Behaviour changes": ["McpEgressBehaviourChange"],
    "Hidden sinks": ["McpEgressHiddenSink"],
    "New hidden domains": ["McpEgressNewHiddenRecipientDomain"],
    "Baseline alerts by host and rule": ["McpEgressBehaviourChange", "McpEgressHiddenSink", "McpEgressNewHiddenRecipientDomain"],
    "Baseline alerts by rule": ["McpEgressBehaviourChange", "McpEgressHiddenSink", "McpEgressNewHiddenRecipientDomain"],
    "MCP server inventory": ["McpEgressMcpServerAdvisory", "McpEgressMailApiTlsOpaque"],
    "Attribution queue and drops": ["McpEgressAttributionDropped"],
    "Attribution lookups by result": ["McpEgressAttributionDropped"],
    "Deferred messages by outcome": ["McpEgressSenderWaitTimeouts"],
    "State writes dropped": ["McpEgressStateWritesDropped"],
    "Bypassed vs dropped packets": ["McpEgressCaptureDrops"],
}
RATE_UNITS = {"mcp_egress_messages_total": "suffix: msg/s", "mcp_egress_tls_sessions_total": "suffix: sessions/s",
              "mcp_egress_events_written_total": "suffix: events/s"}


def base_url():
    with open(os.path.join(GRAFANA, "runbooks.json")) as f:
        return os.environ.get("RUNBOOK_BASE_URL") or json.load(f)["runbook_base_url"]


def runbook(base, alert):
    return f"{base}#runbook-{alert.lower()}"


def render_rules(text, base):
    # runbook_url: "<anything>#runbook-x" (quoted or not) -> the absolute one.
    return re.sub(r'(runbook_url:\s*)"?[^"\n]*#(runbook-[a-z0-9-]+)"?', lambda m: f'{m.group(1)}"{base}#{m.group(2)}"', text)


def with_job(expr):
    expr = expr.replace('job="mcp-egress"', 'job=~"$job"')
    # Every selector that picks an instance also honours $job (once).
    return re.sub(r'\{(?![^}]*job=)([^}]*instance=~?"\$instance")', r'{job=~"$job", \1', expr)


def render_dashboard(d, base):
    for p in d["panels"]:
        for t in p.get("targets", []):
            if "expr" in t:
                e = with_job(t["expr"])
                if e.startswith("time() - mcp_egress_last_message_timestamp_seconds"):
                    e = "time() - (" + e[len("time() - "):] + " > 0)"
                t["expr"] = e
        defaults = p.get("fieldConfig", {}).get("defaults")
        if defaults and (defaults.get("unit") == "reqps" or defaults.get("unit", "").startswith("suffix:")):
            exprs = " ".join(t.get("expr", "") for t in p.get("targets", []))
            for metric, unit in RATE_UNITS.items():
                if metric in exprs:
                    defaults["unit"] = unit
        alerts = PANEL_RUNBOOKS.get(p.get("title"))
        if alerts:
            others = [l for l in p.get("links", []) if not l.get("title", "").startswith("Runbook")]
            p["links"] = others + [{
                "title": f"Runbook: {a}", "type": "link", "url": runbook(base, a), "tooltip": f"What {a} means and what to do",
                "icon": "doc", "asDropdown": False, "includeVars": False, "keepTime": False, "tags": [], "targetBlank": True,
            } for a in alerts]
    variables = d["templating"]["list"]
    if not any(v["name"] == "job" for v in variables):
        i = next(i for i, v in enumerate(variables) if v["name"] == "instance")
        variables.insert(i, {
            "name": "job", "label": "Job", "type": "query", "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "query": {"query": "label_values(mcp_egress_build_info, job)", "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
            "refresh": 2, "includeAll": True, "multi": True,
            "allValue": ".*", "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": [],
            "hide": 0, "sort": 1, "skipUrlSync": False, "regex": "",
        })
    for v in variables:
        if v["name"] == "job":
            v.pop("definition", None)
        if v["name"] == "instance":
            q = "label_values(mcp_egress_build_info{job=~\"$job\"}, instance)"
            v["query"]["query"] = q
            v.pop("definition", None)
    return d


def main():
    check = "--check" in sys.argv
    base = base_url()
    if not re.match(r"^https?://[^/]+/", base):
        sys.exit(f"runbook_base_url must be an absolute http(s) URL, got {base!r}")
    outputs = {}
    for path in (RULES, RULES_TEST, ALERTING):
        with open(path) as f:
            outputs[path] = render_rules(f.read(), base)
    for path in DASHBOARDS:
        with open(path) as f:
            outputs[path] = json.dumps(render_dashboard(json.load(f), base), indent=2, ensure_ascii=False) + "\n"
    stale = []
    for path, text in outputs.items():
        with open(path) as f:
            if f.read() != text:
                stale.append(os.path.relpath(path, os.path.dirname(GRAFANA)))
                if not check:
                    with open(path, "w") as w:
                        w.write(text)
    if check and stale:
        print("not rendered from grafana/runbooks.json (run python3 grafana/tools/render.py): " + ", ".join(stale))
        sys.exit(1)
    print(("checked " if check else "rendered ") + ", ".join(os.path.relpath(p, os.path.dirname(GRAFANA)) for p in outputs))


if __name__ == "__main__":
    main()
