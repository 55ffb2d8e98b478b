"""Scrapy settings for leadpipe crawls (SCRAPY_SETTINGS_MODULE=spiders.settings).

Politeness and limits come from spiders/defaults/crawl.yaml (overridable in
<LEADPIPE_CONFIG_DIR>/spiders/crawl.yaml); per-run changes go through `-s KEY=VALUE`
(spiders.run.run_crawl's `overrides`).
"""

from __future__ import annotations

from spiders.config import crawl_config

_cfg = crawl_config().value

BOT_NAME = "leadpipe"
SPIDER_MODULES = ["spiders.crawlers"]
NEWSPIDER_MODULE = "spiders.crawlers"

USER_AGENT = f"{_cfg.user_agent} (+{_cfg.contact_url})"
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = _cfg.user_agent.split("/")[0]

CONCURRENT_REQUESTS = _cfg.concurrent_requests
CONCURRENT_REQUESTS_PER_DOMAIN = _cfg.concurrent_requests_per_domain
DOWNLOAD_DELAY = _cfg.download_delay_s
AUTOTHROTTLE_ENABLED = _cfg.autothrottle
AUTOTHROTTLE_START_DELAY = max(_cfg.download_delay_s, 1.0)
AUTOTHROTTLE_MAX_DELAY = _cfg.autothrottle_max_delay_s
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = _cfg.timeout_s
DOWNLOAD_MAXSIZE = _cfg.max_response_bytes
DOWNLOAD_WARNSIZE = _cfg.warn_response_bytes
RETRY_TIMES = _cfg.retry_times
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = _cfg.redirect_max_times
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

HTTPCACHE_ENABLED = _cfg.httpcache_enabled
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 86400

DOWNLOADER_MIDDLEWARES = {"spiders.middlewares.SafetyMiddleware": 50}
EXTENSIONS = {"spiders.gc_tuning.CrawlGC": 0}
ITEM_PIPELINES = {
    "spiders.pipelines.AttachExtraction": 200,
    "spiders.pipelines.CountItems": 900,
}

# leadpipe's own settings (read by the spider and the middleware).
LEADPIPE_ALLOW_PRIVATE = _cfg.allow_private_targets
LEADPIPE_PRIVATE_ALLOWLIST = list(_cfg.private_allowlist)
LEADPIPE_MAX_PAGES_PER_DOMAIN = _cfg.max_pages_per_domain
LEADPIPE_DEPTH = _cfg.depth
LEADPIPE_MAX_HTML_CHARS = _cfg.max_html_chars
LEADPIPE_EXTRACT_KINDS = list(_cfg.extract_kinds)
LEADPIPE_EXTRACT_WORKERS = _cfg.extract_workers
