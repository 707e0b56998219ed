"""The report's HTML template (Jinja2, autoescaped): one file, inline CSS, no scripts, no network.

Kept as a Python string so it ships inside the package without package-data configuration.
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="monotowns report">
<title>{{ title }}</title>
<style>
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #e3e3e3; --accent: #1f4e79;
        --ok: #2e7d32; --bad: #c62828; --warn: #8d6e00; --na: #757575; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fafafa;
       font: 15px/1.5 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.top { background: var(--accent); color: #fff; padding: 22px 0 18px; }
header.top .inner { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header.top h1 { margin: 0 0 4px; font-size: 26px; }
header.top p { margin: 2px 0; color: #dbe6f2; font-size: 13.5px; }
nav.toc { position: sticky; top: 0; z-index: 2; background: #fff;
          border-bottom: 1px solid var(--line); }
nav.toc ul { max-width: 1180px; margin: 0 auto; padding: 8px 24px; list-style: none;
             display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13.5px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%;
               margin-right: 5px; background: var(--ok); }
nav.toc .dot.empty { background: #bdbdbd; } nav.toc .dot.error { background: var(--bad); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          padding: 8px 24px 20px; margin: 22px 0; }
h2 { font-size: 21px; margin: 14px 0 6px; color: var(--accent); }
h3 { font-size: 16.5px; margin: 22px 0 6px; }
p.intro { color: #333; max-width: 70em; margin: 4px 0 10px; }
p.empty { background: #f4f4f4; border-left: 4px solid #bdbdbd; padding: 10px 14px;
          color: #444; }
p.error { background: #fdecea; border-left: 4px solid var(--bad); padding: 10px 14px; }
p.note { color: var(--muted); font-size: 13.5px; max-width: 75em; }
figure { margin: 12px 0 18px; }
figure svg.chart { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
figcaption a { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr));
         gap: 10px; margin: 10px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: #fcfcfc; }
.card .value { font-size: 21px; font-weight: bold; color: var(--accent); }
.card .figure { font-size: 12.5px; color: var(--muted); }
.table-wrap { overflow-x: auto; margin: 6px 0 16px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 4px 0; color: #333; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
th { background: #f3f5f8; font-weight: 600; }
td.text { min-width: 16em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;
         overflow-wrap: normal; }
td.na { color: #9e9e9e; }
td.short { white-space: nowrap; overflow-wrap: normal; }
td details summary { cursor: pointer; color: var(--accent); }
td details { max-width: 44em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; color: #fff; white-space: nowrap; }
.badge.reproduced, .badge.supported, .badge.yes, .badge.completed { background: var(--ok); }
.badge.discrepancy, .badge.not-supported, .badge.error, .badge.no, .badge.failed {
  background: var(--bad); }
.badge.not-reproducible, .badge.unknown, .badge.running { background: var(--na); }
.badge.insufficient-evidence, .badge.warning { background: #e6a100; color: #222; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 13.5px; }
dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; word-break: break-all; }
pre { background: #f6f8fa; padding: 8px; font-size: 12px; overflow-x: auto; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; margin: 24px 0; }
@media print { nav.toc { display: none; } section { break-inside: auto; border: none; }
               body { background: #fff; } }
</style>
</head>
<body>
<header class="top"><div class="inner">
<h1>{{ title }}</h1>
{% for line in subtitle %}<p>{{ line }}</p>
{% endfor %}
</div></header>
<nav class="toc" aria-label="Sections"><ul>
<li><a href="#summary"><span class="dot"></span>At a glance</a></li>
{% for s in sections %}<li><a href="#{{ s.id }}"><span class="dot {{ s.status }}"></span>
{{- s.title }}</a></li>
{% endfor %}</ul></nav>
<main>
<section id="summary">
<h2>At a glance</h2>
{% if headline %}<div class="cards">
{% for h in headline %}<div class="card"><div class="value">{{ h.value }}</div>
<div class="figure">{{ h.figure }}</div></div>
{% endfor %}</div>
{% else %}<p class="empty">No data yet: the warehouse has no results; run
<code>monotowns run</code> first.</p>{% endif %}
</section>
{% for s in sections %}
<section id="{{ s.id }}" class="report-section" data-status="{{ s.status }}">
<h2>{{ s.title }}</h2>
{% if s.intro %}<p class="intro">{{ s.intro }}</p>{% endif %}
{% if s.status == "empty" %}<p class="empty">No data yet: {{ s.empty_message }}</p>{% endif %}
{% if s.status == "error" %}<p class="error">This section could not be drawn:
{{ s.error }}</p>{% endif %}
{% for b in s.blocks %}
{% if b.kind == "heading" %}<h3>{{ b.text }}</h3>
{% elif b.kind == "text" %}<p class="note">{{ b.text }}</p>
{% elif b.kind == "empty" %}<p class="empty">No data yet: {{ b.text }}</p>
{% elif b.kind == "chart" %}<figure id="figure-{{ b.name }}">
{{ b.svg }}
<figcaption>{{ b.caption }} Files: <a href="{{ b.png }}">PNG</a>,
<a href="{{ b.svg_file }}">SVG</a>.</figcaption>
</figure>
{% elif b.kind == "kv" %}<dl class="kv">
{% for k, v in b.pairs %}<dt>{{ k }}</dt><dd>{{ v }}</dd>
{% endfor %}</dl>
{% elif b.kind == "table" %}<div class="table-wrap"><table>
{% if b.caption %}<caption>{{ b.caption }}</caption>{% endif %}
<thead><tr>{% for h in b.header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in b.rows %}<tr>{% for c in row %}<td class="{{ c.cls }}"
{%- if c.title %} title="{{ c.title }}"{% endif %}>
{%- if c.badge %}<span class="badge {{ c.badge }}">{{ c.text }}</span>
{%- elif c.details %}<details><summary>{{ c.text }}</summary>{{ c.details | wbr }}</details>
{%- else %}{{ c.text | wbr }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% endif %}
{% endfor %}
</section>
{% endfor %}
<footer>{{ footer }}</footer>
</main>
</body>
</html>
"""
