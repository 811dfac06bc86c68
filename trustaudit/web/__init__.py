"""The web layer: how trustaudit reads the web, shared by the crawl and the extraction stages.

* ``web.urls``: URL parsing and normalisation (hosts, the URL we fetch, de-duplication and comparison keys,
  resolving links);
* ``web.sites``: the registrable domain from the Public Suffix List, same-origin and same-site tests;
* ``web.html``: the HTML parser and the views of a parsed page (visible text, links by page region, scripts);
* ``web.text``: text normalisation (folding for comparisons, snippets).

No other module parses hosts or HTML. This package imports nothing of trustaudit but ``models``.
"""
