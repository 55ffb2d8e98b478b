"""Scrapy settings for leadpipe crawls (SCRAPY_SETTINGS_MODULE=spiders.settings).

Politeness and limits come from spiders/defaults/crawl.yaml here; a run started by
`spiders.run.run_crawl` passes those of its configuration (with the installation's overrides
in <config dir>/spiders/crawl.yaml) and its per-run changes as `-s KEY=VALUE`.
"""

from __future__ import annotations

from spiders.config import crawl_config, scrapy_settings

BOT_NAME = "leadpipe"
SPIDER_MODULES = ["spiders.crawlers"]
NEWSPIDER_MODULE = "spiders.crawlers"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
REDIRECT_ENABLED = True
# Depth (LEADPIPE_DEPTH) and the per-domain page budget are enforced by the spider itself:
# Scrapy's DepthMiddleware would drop requests without calling their errback, and the spider
# emits a domain's outcome record only when its last request has ended.
DEPTH_LIMIT = 0
# Scrapy starts CONCURRENT_ITEMS asyncio workers for every callback's output; a page yields
# a handful of items and requests, and the default 100 costs more CPU than the parsing does.
CONCURRENT_ITEMS = 8
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"jsonlines": "spiders.exporters.JsonLinesExporter"}

HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 86400

DOWNLOADER_MIDDLEWARES = {"spiders.middlewares.SafetyMiddleware": 50}
EXTENSIONS = {"spiders.gc_tuning.CrawlGC": 0}
ITEM_PIPELINES = {
    "spiders.pipelines.AttachExtraction": 200,
    "spiders.pipelines.CountItems": 900,
}

LEADPIPE_CONFIG_DIR = ""
"""The installation's configuration directory (`Settings.config_dir`); empty: the defaults."""

# USER_AGENT, delays, limits and leadpipe's own LEADPIPE_* settings, from the defaults
globals().update(scrapy_settings(crawl_config().value))
